package io.tokensiege.simulator.engine;

/** Which delta field a generated token is streamed in. */
public enum Channel { REASONING, CONTENT }
