package dev.ordo.app;

import java.nio.file.Path;

/** Lets tests in sub-packages start an engine on the sample. */
public final class EngineFixtureAccess {

  private EngineFixtureAccess() {}

  public static Engine start(Path dataDir) throws Exception {
    return EngineFixture.start(dataDir, progress -> {});
  }

  /** An engine on the sample with {@code config} (application.conf with overrides). */
  public static Engine start(Path dataDir, com.typesafe.config.Config config) throws Exception {
    return EngineFixture.start(dataDir, config, progress -> {});
  }

  /** The sample's schedule with every bar in memory (the engine's own is streamed and read forward only). */
  public static dev.ordo.engine.marketdata.ReplaySchedule sampleSchedule() {
    return dev.ordo.engine.marketdata.ReplaySchedule.of(dev.ordo.broker.data.BarFileReader.readFolder(EngineFixture.SAMPLE), null, null);
  }
}
