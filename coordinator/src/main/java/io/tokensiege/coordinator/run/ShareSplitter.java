package io.tokensiege.coordinator.run;

/**
 * Splits a step's streams exactly over workers: 16 over 3 = 6+5+5, never rounding a stream away.
 * With capacities, shares follow them (largest remainders get the leftovers).
 */
public final class ShareSplitter {
    private ShareSplitter() {}

    public static int[] split(int total, int workers) {
        int[] weights = new int[workers];
        java.util.Arrays.fill(weights, 1);
        return split(total, weights);
    }

    public static int[] split(int total, int[] weights) {
        long sum = 0;
        for (int w : weights) sum += w;
        if (sum <= 0) throw new IllegalArgumentException("no worker capacity to split " + total + " streams over");
        int[] shares = new int[weights.length];
        double[] remainders = new double[weights.length];
        int given = 0;
        for (int i = 0; i < weights.length; i++) {
            double exact = (double) total * weights[i] / sum;
            shares[i] = (int) Math.floor(exact);
            remainders[i] = exact - shares[i];
            given += shares[i];
        }
        for (int left = total - given; left > 0; left--) {
            int best = 0;
            for (int i = 1; i < weights.length; i++) if (remainders[i] > remainders[best] + 1e-12) best = i;
            shares[best]++;
            remainders[best] = -1;
        }
        return shares;
    }
}
