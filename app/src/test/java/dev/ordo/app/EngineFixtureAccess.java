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
}
