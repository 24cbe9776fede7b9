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

  /** An engine on the sample replayed at {@code speed}, {@code onStep} told of every step. */
  public static Engine start(Path dataDir, com.typesafe.config.Config config, dev.ordo.engine.marketdata.ReplayDriver.Speed speed,
      java.util.function.Consumer<dev.ordo.engine.marketdata.ReplayDriver.Progress> onStep) throws Exception {
    return EngineFixture.start(dataDir, config, speed, onStep);
  }

  /** The sample's trades by the synchronous backtester. */
  public static java.util.List<dev.ordo.engine.model.RoundTrip> expectedTrades() {
    return EngineFixture.expectedTrades();
  }

  /** The sample's schedule with every bar in memory (the engine's own is streamed and read forward only). */
  public static dev.ordo.engine.marketdata.ReplaySchedule sampleSchedule() {
    return dev.ordo.engine.marketdata.ReplaySchedule.of(dev.ordo.broker.data.BarFileReader.readFolder(EngineFixture.SAMPLE), null, null);
  }
}
