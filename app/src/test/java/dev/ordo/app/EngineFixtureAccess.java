package dev.ordo.app;

import java.nio.file.Path;

/** Lets tests in sub-packages start an engine on the sample. */
public final class EngineFixtureAccess {

  private EngineFixtureAccess() {}

  public static Engine start(Path dataDir) throws Exception {
    return EngineFixture.start(dataDir, progress -> {});
  }
}
