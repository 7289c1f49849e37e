package io.tokensiege.common.metric;

/** Where {@code output_tokens} came from: the server's usage block, or our count of token-carrying events. */
public enum TokenSource { USAGE, COUNTED }
