package dev.ordo.app;

import com.typesafe.config.ConfigFactory;
import dev.ordo.app.audit.Verifier;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ordo verify}: replays every entity of a stopped engine's journal and checks the invariants
 * ({@link Verifier}); prints each violation with its entity and sequence number. Exit 0 when none,
 * 1 when one or more (or the journal cannot be read), 2 for a bad option.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Replay every entity of a stopped engine's journal and check the invariants; exit 1 on a violation.")
final class VerifyCommand implements Callable<Integer> {

  @Option(names = "--data-dir", defaultValue = "ordo-data", paramLabel = "DIR", description = "The stopped engine's data folder (default ${DEFAULT-VALUE}).")
  Path dataDir;

  @picocli.CommandLine.Mixin
  JournalOptions journalOptions = new JournalOptions();

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Verifier.Result result;
    try (OfflineJournal journal = OfflineJournal.open(dataDir, journalOptions.over(ConfigFactory.load(), System.getenv()))) {
      result = verify(journal);
    }
    if (result.entities() == 0 && result.unknown().isEmpty()) {
      System.err.println("ordo verify: the journal of " + dataDir.toAbsolutePath().normalize() + " holds no events");
      return StartFailure.ENVIRONMENT;
    }
    result.violations().forEach(out::println);
    for (String unknown : result.unknown()) out.println("not checked: journal " + unknown + " is not an Ordo entity");
    out.printf("verified %d entities, %d events: %s%n", result.entities(), result.events(),
        result.violations().isEmpty() ? "no violation" : result.violations().size() + " violation(s)");
    out.flush();
    return result.violations().isEmpty() ? 0 : 1;
  }

  /**
   * Replays every entity of the journal of {@code dataDir} (a stopped engine's) and checks the
   * invariants, with the strategy's entries per session of the run's recorded parameters, else the
   * configured {@code ordo.strategy.max-entries-per-day}.
   *
   * @throws StartFailure when the folder holds no journal, an engine runs on it, or it cannot be read
   */
  static Verifier.Result verify(Path dataDir) throws Exception {
    try (OfflineJournal journal = OfflineJournal.open(dataDir, ConfigFactory.load())) {
      return verify(journal);
    }
  }

  /** The same on a journal already open. */
  static Verifier.Result verify(OfflineJournal journal) throws Exception {
    int maxEntries = journal.config().getInt("ordo.strategy.max-entries-per-day");
    return new Verifier(journal.auditor(), maxEntries).verify().toCompletableFuture().get(30, TimeUnit.MINUTES);
  }
}
