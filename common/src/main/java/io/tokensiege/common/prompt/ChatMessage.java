package io.tokensiege.common.prompt;

/** One chat message as sent in {@code messages}. */
public record ChatMessage(String role, String content) {}
