package dev.ordo.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.strategy.Backtester;
import dev.ordo.broker.data.BarFileReader;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** Starts engines on the bundled sample for tests. */
final class EngineFixture {

  /** The bundled real NSE sample (4 symbols, 15 sessions). */
  static final Path SAMPLE = Path.of("..", "data", "sample", "nse_equity_5min");

  private EngineFixture() {}

  static Engine start(Path dataDir, Consumer<ReplayDriver.Progress> onStep) throws Exception {
    return start(dataDir, ConfigFactory.load(), onStep);
  }

  static Engine start(Path dataDir, Config config, Consumer<ReplayDriver.Progress> onStep) throws Exception {
    return start(dataDir, config, ReplayDriver.Speed.max(), onStep);
  }

  static Engine start(Path dataDir, Config config, ReplayDriver.Speed speed, Consumer<ReplayDriver.Progress> onStep) throws Exception {
    return Engine.start(new Engine.Settings(SAMPLE, null, null, speed, dataDir, "127.0.0.1", 0, false), config,
        new ReplayDriver.Listener() {
          @Override
          public void onStep(ReplayDriver.Progress progress) {
            onStep.accept(progress);
          }

          @Override
          public void onEnd(ReplayDriver.Progress progress) {}
        });
  }

  /** The trades of the sample by the synchronous backtester: the independent expectation. */
  static List<RoundTrip> expectedTrades() {
    EightyTwentyStrategy.Parameters defaults = EightyTwentyStrategy.Parameters.defaults();
    return Backtester.run(BarFileReader.readFolder(SAMPLE), f -> new EightyTwentyStrategy(defaults.withTickSize(f.instrument().tickSize())),
        Engine.paperCash(ConfigFactory.load()));
  }
}
