package io.tokensiege.deploy;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code tokensiege bench}: placeholder replaced by the benchmark suite below. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks of the load engine and the simulator; prints figures.")
public final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}
