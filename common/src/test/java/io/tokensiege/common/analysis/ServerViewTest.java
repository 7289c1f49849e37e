package io.tokensiege.common.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.ServerTimings;
import io.tokensiege.common.metric.TokenSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client's decode rates set against the server's own timings, request by request, in one definition. */
class ServerViewTest {
    private static final int TOKENS = 64;

    /** A request whose server decoded {@code TOKENS} tokens at {@code serverTokS} (first to last token) and whose client read {@code clientTokS}. */
    private static RequestRecord request(double serverTokS, double clientTokS) {
        double predictedMillis = (TOKENS - 1) * 1000.0 / serverTokS;
        return new RequestRecord(new RequestRecord.Origin("s", "w", 0, 0, 0, null),
                true,
                new RequestRecord.Times(0, null, 50_000L, 50_000L, 50_000L, 10_000L, 200_000L, 2_000L, clientTokS),
                new RequestRecord.Tokens(TOKENS, TokenSource.USAGE, TOKENS, null, 0, TOKENS, 0, 40, 0, TOKENS),
                new RequestRecord.Outcome("length", null, null, null, 200, false),
                new RequestRecord.Answer("id", 10, "x"),
                null, new ServerTimings(40, 0, 20.0, TOKENS, predictedMillis, TOKENS * 1000.0 / predictedMillis), null);
    }

    private static List<Flag> flags(List<RequestRecord> records, double timeScale) {
        ServerView view = ServerView.of(records, timeScale, null).orElseThrow();
        double[] client = records.stream().mapToDouble(r -> r.times().decodeRateTokS() / timeScale).sorted().toArray();
        List<Flag> flags = new ArrayList<>();
        Percentiles clientDecode = new Percentiles(client.length, Fairness.quantile(client, 0.5), 0, 0, 0, 0, 0); // only its count and p50 are read
        ServerView.flag("s", view, clientDecode, records, timeScale, flags);
        return flags;
    }

    @Test
    void twoDecodeSpeedsAndOneLateToken_leaveTheMediansApart_butEveryOtherPairAgrees_soNothingIsFlagged() {
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 4; i++) records.add(request(330, 330));
        for (int i = 0; i < 4; i++) records.add(request(470, 470));
        records.add(request(470, 330)); // its last token reached the client late: it alone crosses to the slow side

        ServerView view = ServerView.of(records, 1, null).orElseThrow();
        // What the old check compared: the two medians, 30 % apart although eight of nine requests agree exactly.
        assertThat(view.decodeTokSP50()).isCloseTo(470.0, within(0.01)); // in our definition, as the client's p50 beside it
        assertThat(view.decodeGapPctP50()).isCloseTo(0, within(1e-9));
        assertThat(flags(records, 1)).extracting(Flag::code).doesNotContain(Flag.SERVER_DECODE_GAP);
    }

    @Test
    void aClientThatCountsHalfTheTokens_isFlaggedWithItsGap() {
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) records.add(request(400 + 10 * i, (400 + 10 * i) / 2.0));

        List<Flag> flags = flags(records, 1);

        assertThat(flags).extracting(Flag::code).containsExactly(Flag.SERVER_DECODE_GAP);
        assertThat(flags.get(0).message()).startsWith("client decode differs from the server's own by -50.0% (the median over requests");
    }

    @Test
    void theServersRate_isPutInOurDefinition_nMinusOneTokensAfterTheFirst() {
        // llama.cpp: predicted_per_second = 64 / predicted_ms, where predicted_ms runs from the first token to the last.
        RequestRecord r = request(500, 500);
        assertThat(r.serverTimings().predictedTokS()).isCloseTo(500.0 * 64 / 63, within(1e-9));

        assertThat(ServerView.decodeGapPct(r, 1)).isCloseTo(0, within(1e-9));
        assertThat(ServerView.decodeGapPct(request(500, 525), 1)).isCloseTo(5, within(1e-9));
        // The step's server decode p50 is in our definition too: 500, not llama.cpp's 507.9, beside a client p50 of 500.
        assertThat(ServerView.of(List.of(r), 1, null).orElseThrow().decodeTokSP50()).isCloseTo(500.0, within(1e-9));
        // A server that reports only a rate is taken at its word.
        RequestRecord rateOnly = new RequestRecord(r.origin(), true, r.times(), r.tokens(), r.outcome(), r.answer(), null,
                new ServerTimings(40, 0, 20.0, null, null, 480.0), null);
        assertThat(ServerView.of(List.of(rateOnly), 1, null).orElseThrow().decodeTokSP50()).isEqualTo(480.0);
        assertThat(ServerView.decodeGapPct(rateOnly, 1)).isNull();
    }

    @Test
    void aSimulatedTargetsRates_areComparedInItsOwnTime() {
        // A simulator at 10x: the client reads 5,000 tok/s of wall time, which are 500 of the target's.
        assertThat(ServerView.decodeGapPct(request(500, 5_000), 10)).isCloseTo(0, within(1e-9));
        assertThat(flags(List.of(request(500, 5_000)), 10)).isEmpty();
    }

    @Test
    void withoutTimingsOrWithOneToken_thereIsNoPairToCompare() {
        RequestRecord r = request(500, 500);
        RequestRecord noServer = new RequestRecord(r.origin(), true, r.times(), r.tokens(), r.outcome(), r.answer(), null, null, null);
        RequestRecord oneToken = new RequestRecord(r.origin(), true, r.times(), r.tokens(), r.outcome(), r.answer(), null,
                new ServerTimings(40, 0, 20.0, 1, 0.001, 1_000_000.0), null);

        assertThat(ServerView.decodeGapPct(noServer, 1)).isNull();
        assertThat(ServerView.decodeGapPct(oneToken, 1)).isNull();
        ServerView onlyOneToken = ServerView.of(List.of(oneToken), 1, null).orElseThrow();
        assertThat(onlyOneToken.decodeGapPctP50()).isNull();
        // llama.cpp reports 1,000,000 tok/s for an answer of its end token alone: no decode rate, as for the client.
        assertThat(ServerView.of(List.of(oneToken, oneToken, r), 1, null).orElseThrow().decodeTokSP50()).isCloseTo(500.0, within(1e-9));
    }
}
