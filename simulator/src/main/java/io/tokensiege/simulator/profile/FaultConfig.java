package io.tokensiege.simulator.profile;

/**
 * Faults a simulated server injects, each chosen per request with the profile's seed so a run is
 * repeatable. A request may also ask for one fault with the {@code x-sim-fault} header (see
 * {@code FaultPlan}).
 *
 * @param error500Share      share of requests answered 500 before streaming
 * @param maxQueue           answer 429 when more requests than this already wait; 0 = never
 * @param dropShare          share of streams whose connection is closed mid-stream, without [DONE]
 * @param dropAfterTokens    tokens sent before such a drop
 * @param malformedShare     share of streams with one event that is not valid JSON
 * @param malformedAtToken   which token's event is malformed
 * @param stallShare         share of streams that stall once
 * @param stallAtToken       the token the stall delays (0 = the first token)
 * @param stallMs            how long the stall lasts (in real milliseconds, not scaled by speed)
 * @param streamErrorShare   share of streams that end with an {@code error} event inside the 200 stream
 *                           (llama.cpp's chat-parser failure), without finish_reason or [DONE]
 * @param streamErrorAfterTokens tokens sent before such an error event
 */
public record FaultConfig(
        double error500Share,
        int maxQueue,
        double dropShare,
        int dropAfterTokens,
        double malformedShare,
        int malformedAtToken,
        double stallShare,
        int stallAtToken,
        long stallMs,
        double streamErrorShare,
        int streamErrorAfterTokens) {

    public static final FaultConfig NONE = new FaultConfig(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
