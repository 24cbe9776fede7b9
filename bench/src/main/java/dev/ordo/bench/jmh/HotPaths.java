package dev.ordo.bench.jmh;

import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.data.BarFileReader;
import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.strategy.Decision;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.strategy.StrategyState;
import dev.ordo.engine.trading.SymbolTrader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The engine's hot paths, per operation, on the real bars of one instrument (the file named by the system property
 * {@code ordo.bench.bars}, default the bundled sample's TCS): the strategy's answer to a complete bar, a fill applied
 * to a position, tick-grid price arithmetic, and the serialization of the event journaled for every live bar
 * ({@code BarApplied}) by the actor system's own serializer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotPaths {

  private static final BigDecimal TICK = new BigDecimal("0.05");

  private List<Bar> bars;
  private EightyTwentyStrategy strategy;
  private StrategyState state;
  private int next;
  private NetPosition position;
  private Fill buy;
  private Fill sell;
  private boolean long_;
  private ActorSystem<Void> system;
  private Serialization serialization;
  private SymbolTrader.BarApplied event;

  @Setup(Level.Trial)
  public void setUp() {
    InstrumentBars file = BarFileReader.read(Path.of(System.getProperty("ordo.bench.bars", "data/sample/nse_equity_5min/TCS.csv")));
    bars = file.bars();
    strategy = new EightyTwentyStrategy(EightyTwentyStrategy.Parameters.defaults());
    state = strategy.initialState();
    position = NetPosition.FLAT;
    Bar bar = bars.get(0);
    buy = new Fill(TradeId.of("T1"), ClientOrderId.of("c-1"), VenueOrderId.of("1"), bar.instrumentId(), OrderSide.BUY, Quantity.of(37), bar.close(),
        bar.tsOpen());
    sell = new Fill(TradeId.of("T2"), ClientOrderId.of("c-2"), VenueOrderId.of("2"), bar.instrumentId(), OrderSide.SELL, Quantity.of(37), bar.high(),
        bar.tsOpen());
    system = ActorSystem.create(Behaviors.empty(), "jmh",
        ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(Adapter.toClassic(system));
    event = new SymbolTrader.BarApplied(AccountId.of("paper"), bar.instrumentId(), bar, strategy.onBar(state, bar).state(), null, Instant.EPOCH);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    system.terminate();
  }

  /** The strategy's answer to the next real bar (open, then complete), its state carried on. */
  @Benchmark
  public Decision strategyBar() {
    Bar bar = bars.get(next);
    next = next + 1 == bars.size() ? 0 : next + 1;
    if (next == 0) state = strategy.initialState();
    Decision opened = strategy.onBarOpen(state, bar.tsOpen());
    Decision decision = strategy.onBar(opened.state(), bar);
    state = decision.state();
    return decision;
  }

  /** A fill applied to a position (alternately opening and closing it), with the round trip it closes. */
  @Benchmark
  public NetPosition fillApplication() {
    Fill fill = long_ ? sell : buy;
    long_ = !long_;
    position.closedBy(fill, null);
    position = position.apply(fill);
    return position;
  }

  /** A stop price: a bar's low less 0.1%, floored to the tick grid, compared to the open. */
  @Benchmark
  public boolean priceArithmetic() {
    Bar bar = bars.get(next);
    next = next + 1 == bars.size() ? 0 : next + 1;
    Price stop = Price.of(bar.low().value().multiply(new BigDecimal("0.999"))).floorTick(TICK);
    return stop.isLessThan(bar.open());
  }

  /** The BarApplied event of a live bar serialized as the journal writes it. */
  @Benchmark
  public byte[] eventSerialization() {
    return serialization.serialize(event).get();
  }
}
