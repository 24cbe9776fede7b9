package dev.ordo.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.persistence.JournalSchema;
import dev.ordo.persistence.JournalSettings;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** An actor system as the engine starts one: the app's configuration, the H2 journal of a data directory, a single-node cluster. */
final class BenchSystem {

  private BenchSystem() {}

  /** The app's configuration with the journal of {@code dataDir}. */
  static Config config(Path dataDir) {
    return JournalSettings.withJournal(ConfigFactory.load(), dataDir);
  }

  /** Starts the system on {@code dataDir}'s journal (its tables created when missing) and joins its own cluster. */
  static ActorSystem<Void> start(String name, Path dataDir) throws Exception {
    Config config = config(dataDir);
    JournalSchema.create(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    return system;
  }

  static void stop(ActorSystem<?> system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
