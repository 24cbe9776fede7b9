package dev.ordo.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.audit.AuditInput;
import dev.ordo.app.audit.Auditor;
import dev.ordo.persistence.JournalCheck;
import dev.ordo.persistence.JournalSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The journal of a stopped engine's data directory, opened for reading by {@code ordo audit} and
 * {@code ordo verify}: the folder locked as the engine locks it (so a running engine's folder is
 * refused), the journal checked as the engine checks it, and a local actor system with the read
 * journal. Nothing is written to the journal.
 */
final class OfflineJournal implements AutoCloseable {

  private final DataDirLock lock;
  private final ActorSystem<Void> system;
  private final Auditor auditor;

  private OfflineJournal(DataDirLock lock, ActorSystem<Void> system, Auditor auditor) {
    this.lock = lock;
    this.system = system;
    this.auditor = auditor;
  }

  /**
   * Opens the journal of {@code dataDir}.
   *
   * @throws StartFailure {@link StartFailure#USAGE} when the folder or its H2 journal does not exist;
   *     {@link StartFailure#ENVIRONMENT} when an engine runs on it, or the journal cannot be read
   */
  static OfflineJournal open(Path dataDir, Config config) throws StartFailure {
    Path dir = dataDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir))
      throw StartFailure.usage("data-dir " + dir + (Files.exists(dir) ? " is a file, not a folder" : " does not exist")
          + "; give --data-dir the folder of an engine's run");
    Config withJournal = JournalSettings.withJournal(config, dir);
    String url = withJournal.getString("pekko-persistence-jdbc.shared-databases.slick.db.url");
    if (url.equals(JournalSettings.h2Url(dir)) && !Files.exists(JournalSettings.h2File(dir)))
      throw StartFailure.usage("data-dir " + dir + " holds no journal (" + JournalSettings.h2File(dir).getFileName()
          + " is missing); give --data-dir the folder of an engine's run");
    DataDirLock lock = DataDirLock.acquire(dir, 0);
    try {
      JournalCheck.verify(withJournal, dir);
    } catch (JournalCheck.JournalUnavailableException e) {
      lock.close();
      throw StartFailure.environment(e.getMessage(), e);
    }
    Config local = ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING\n"
        + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off").withFallback(withJournal);
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.empty(), "ordo-audit", local);
    } catch (RuntimeException | Error e) {
      lock.close();
      throw e;
    }
    return new OfflineJournal(lock, system, new Auditor(system, AuditInput.strategies(withJournal)));
  }

  /** Reads and folds this journal. */
  Auditor auditor() {
    return auditor;
  }

  /** The configuration of the journal's system. */
  Config config() {
    return system.settings().config();
  }

  /** Stops the actor system (bounded wait) and releases the data directory. */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // released below all the same
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.close();
  }
}
