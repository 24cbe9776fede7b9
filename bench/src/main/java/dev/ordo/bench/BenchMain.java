package dev.ordo.bench;

import dev.ordo.broker.data.BarFileReader;
import dev.ordo.engine.marketdata.InstrumentBars;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench/run}: runs the scenarios of issue 12 (replay, pipeline, reauth-storm, recovery, footprint, jmh), Ordo
 * and its baselines on the same input, prints one table and writes it as JSON with {@code --json}. {@code --quick}
 * runs every scenario on less data (the bundled sample, fewer instruments, ticks and events; JMH with one short fork).
 */
@Command(name = "bench/run", mixinStandardHelpOptions = true, description = "Ordo's benchmark: Ordo against its baselines, one table.")
public final class BenchMain implements Callable<Integer> {

  /** Every scenario, in the order they run. */
  static final List<String> SCENARIOS = List.of("replay", "pipeline", "reauth-storm", "recovery", "footprint", "jmh");

  @Option(names = "--quick", description = "Less data: the bundled sample, fewer instruments and events (CI, under 3 minutes).")
  boolean quick;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
  Path json;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data/nse_equity_5min",
      description = "The real NSE 5-minute bars (default ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--sample", paramLabel = "DIR", defaultValue = "data/sample/nse_equity_5min",
      description = "The bundled sample, replayed by --quick (default ${DEFAULT-VALUE}).")
  Path sample;

  @Option(names = "--work", paramLabel = "DIR", defaultValue = "bench/target/bench-work",
      description = "Where runs keep their data directories and logs (emptied first; default ${DEFAULT-VALUE}).")
  Path work;

  @Option(names = "--only", split = ",", paramLabel = "SCENARIO", description = "Run only these scenarios (of ${COMPLETION-CANDIDATES}).",
      completionCandidates = ScenarioNames.class)
  List<String> only;

  /** The scenario names, for --only's help. */
  static final class ScenarioNames extends ArrayList<String> {
    ScenarioNames() {
      super(SCENARIOS);
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Set<String> run = new LinkedHashSet<>(only == null ? SCENARIOS : only);
    for (String name : run)
      if (!SCENARIOS.contains(name)) {
        System.err.println("bench/run: --only: no scenario '" + name + "'; the scenarios are " + String.join(", ", SCENARIOS));
        return 2;
      }
    for (Path folder : List.of(data, sample))
      if (!Files.isDirectory(folder)) {
        System.err.println("bench/run: no data folder " + folder.toAbsolutePath() + " (--data: the real NSE 5-minute bars, --sample: the"
            + " bundled sample)");
        return 2;
      }
    deleteRecursively(work);
    Files.createDirectories(work);
    Results results = new Results();
    machine(results);
    List<InstrumentBars> real = BarFileReader.readFolder(data);
    long started = System.nanoTime();

    ReplayScenario.Outcome replay = null;
    if (run.contains("replay")) {
      step("replay");
      if (quick) {
        replay = ReplayScenario.run(results, work, "sample", sample, null, null, true, List.of());
        results.note("replay", "sample: the bundled sample (" + BarFileReader.readFolder(sample).size() + " instruments).");
      } else {
        replay = ReplayScenario.run(results, work, "20", data, null, null, true, List.of());
        Path set200 = work.resolve("data-200");
        LocalDate from = LocalDate.of(2023, 7, 3);
        LocalDate to = LocalDate.of(2023, 7, 31);
        long bars = InstrumentMultiplier.writeFolder(InstrumentMultiplier.multiply(real, 200, from, to), set200, from, to);
        ReplayScenario.run(results, work, "200", set200, null, null, false, List.of());
        results.note("replay", "20: the full shared NSE data; 200: the 20 real series and 9 time-shifted copies of each, " + from + ".." + to + " ("
            + bars + " bars).");
      }
    }
    if (run.contains("pipeline")) {
      int[][] sizes = quick ? new int[][] {{20, 150}, {200, 80}} : new int[][] {{20, 750}, {200, 150}, {2000, 90}};
      if (!quick) {
        step("pipeline warm-up");
        for (String which : List.of("ordo", "locks", "single-thread"))
          PipelineScenario.measure(PipelineInput.of(real, 20, 75), which, work.resolve("warm-up"));
      }
      for (int[] size : sizes) {
        step("pipeline " + size[0]);
        PipelineScenario.run(results, work, real, size[0], size[1]);
      }
    }
    if (run.contains("reauth-storm")) {
      step("reauth-storm");
      ReauthStorm.run(results, 10_000);
    }
    if (run.contains("recovery")) {
      step("recovery");
      if (quick) RecoveryScenario.run(results, work, real, 500, 50_000);
      else RecoveryScenario.run(results, work, real, 10_000, 1_000_000);
    }
    if (run.contains("footprint")) {
      step("footprint");
      FootprintScenario.idle(results, work, real, quick ? 1_000 : 10_000);
      if (replay != null) FootprintScenario.growth(results, replay.dataDir(), quick ? "sample" : "20");
    }
    if (run.contains("jmh")) {
      step("jmh");
      jmh(results);
    }
    results.machine("total_seconds", Math.round((System.nanoTime() - started) / 1e9));
    System.out.println();
    results.print(System.out);
    if (json != null) {
      results.write(json, quick ? "quick" : "full");
      System.out.println("written: " + json);
    }
    return 0;
  }

  private void jmh(Results results) throws Exception {
    OptionsBuilder options = new OptionsBuilder();
    options.include(dev.ordo.bench.jmh.HotPaths.class.getName()).forks(1).shouldFailOnError(true)
        .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
        .jvmArgsAppend("-Dordo.bench.bars=" + sample.resolve("TCS.csv").toAbsolutePath());
    if (quick) options.warmupIterations(1).warmupTime(TimeValue.milliseconds(500)).measurementIterations(1).measurementTime(TimeValue.milliseconds(500));
    else options.warmupIterations(2).warmupTime(TimeValue.seconds(1)).measurementIterations(3).measurementTime(TimeValue.seconds(1));
    for (RunResult result : new Runner(options.build()).run()) {
      String method = result.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      results.add("jmh", "", method, result.getPrimaryResult().getScoreUnit(), result.getPrimaryResult().getScore(), java.util.Map.of(),
          method.equals("strategyBar"));
    }
  }

  private static void machine(Results results) throws Exception {
    results.machine("nproc", Runtime.getRuntime().availableProcessors());
    results.machine("ram_gb", Math.round(((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize() / 1e8) / 10.0);
    results.machine("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    results.machine("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo))
      Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name")).findFirst()
          .ifPresent(l -> results.machine("cpu", l.substring(l.indexOf(':') + 1).trim()));
    Path loadavg = Path.of("/proc/loadavg");
    if (Files.isReadable(loadavg)) results.machine("load_before", Files.readString(loadavg).trim());
  }

  private static void step(String name) {
    System.out.printf(Locale.ROOT, "== %s%n", name);
    System.out.flush();
  }

  private static void deleteRecursively(Path path) throws java.io.IOException {
    if (!Files.exists(path)) return;
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
