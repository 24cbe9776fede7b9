package dev.ordo.engine.scanner;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.expert.Expert;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Scans many instruments of one account in the background and sends the breakouts it finds to an
 * expert as BUY recommendations ({@code docs/scanner.md}).
 *
 * <p>A {@link Scan} for trading day {@code D} reads each instrument's last completed daily bars before
 * {@code D} through the account's {@link BrokerGateway} at {@link BrokerGateway.Priority#SCAN}, so a scan
 * never delays an order call (CRITICAL goes first under the one rate limit), with at most
 * {@code parallelism} reads in flight at once (a Pekko Streams {@code mapAsync}). Bars read are cached
 * per instrument for {@code cacheTtl} on the engine's clock, for the same day: a second scan of the day
 * within the time-to-live reads nothing again. Each instrument's bars go through the
 * {@link BreakoutSignal}; an instrument whose last bar is not the trading day before {@code D} (no bar
 * yesterday: suspended, or data missing) is stale and not evaluated. The breakouts go to the expert in one
 * batch ({@link Recommender}), which decides and journals each one; the scan answers a {@link Report}.
 *
 * <p>The scanner's own state (the cache, the scan in progress, its counters) changes only in its
 * handlers: the stream of reads and the expert's answer come back as messages. One scan runs at a time;
 * a scan asked during another is answered at once with a failure. Nothing is journaled here: the
 * account's {@code TaskScheduler} journals each run with its outcome, and the expert each recommendation.
 */
public final class Scanner {

  private Scanner() {}

  /** The engine's paths for what a scanner needs from the account's other entities. */
  public interface Recommender {

    /** The last price the account's symbol trader of each instrument saw; instruments it does not trade are left out. */
    CompletionStage<Map<InstrumentId, Price>> lastPrices(java.util.Set<InstrumentId> instruments);

    /** Sends recommendations to an expert of the account and answers its outcomes (the path of {@code POST .../recommendations}). */
    CompletionStage<Expert.Outcomes> recommend(String expertId, List<Expert.Recommendation> recommendations);
  }

  /** Protocol; local to its JVM (it holds the gateway and the recommender). */
  public sealed interface Command {}

  /** Scan as of the start of trading day {@code day} (bars of earlier days only); {@code replyTo} gets the report. */
  public record Scan(LocalDate day, ActorRef<Report> replyTo) implements Command, OrdoSerializable {}

  /** Asks for the scans since start. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command, OrdoSerializable {}

  private record Fetched(long run, List<Read> reads) implements Command, NoSerializationVerificationNeeded {}

  private record Priced(long run, Map<InstrumentId, Price> prices, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  private record Recommended(long run, Expert.Outcomes outcomes, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  /** One instrument's read: its bars, or why there are none. */
  private record Read(InstrumentId instrument, List<Bar> bars, String error) {}

  /**
   * Settings of a scanner.
   *
   * @param expertId    the expert the breakouts go to
   * @param universe    the instruments scanned, with each one's tick size (instrument currency)
   * @param signal      the rule
   * @param parallelism daily-bar reads in flight at once, at least 1
   * @param cacheTtl    how long bars read stay fresh for the same day, on the engine's clock
   * @param callTimeout how long one read, or the expert's answer, may take
   */
  public record Settings(String expertId, SortedMap<InstrumentId, BigDecimal> universe, BreakoutSignal signal, int parallelism,
      Duration cacheTtl, Duration callTimeout) {
    public Settings {
      Objects.requireNonNull(expertId, "expertId");
      Objects.requireNonNull(signal, "signal");
      if (universe == null || universe.isEmpty()) throw new IllegalArgumentException("a scanner scans at least one instrument");
      universe = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(universe));
      if (parallelism < 1) throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
      if (cacheTtl == null || cacheTtl.isNegative()) throw new IllegalArgumentException("cacheTtl must be zero or positive, got " + cacheTtl);
      if (callTimeout == null || callTimeout.isNegative() || callTimeout.isZero())
        throw new IllegalArgumentException("callTimeout must be positive, got " + callTimeout);
    }
  }

  /**
   * What one scan did.
   *
   * @param day         the trading day scanned for
   * @param scanned     instruments of the universe
   * @param read        instruments whose bars were read from the broker in this scan
   * @param cached      instruments whose bars came from the cache
   * @param failed      instruments whose read failed, with the broker's reason
   * @param stale       instruments without a bar of the trading day before {@code day}
   * @param signals     the breakouts found, by instrument
   * @param outcomes    the expert's answer to each breakout (accepted with its transaction, or skipped with its reason)
   * @param failure     why the scan failed (every read failed, or the expert did not answer), else null
   * @param finishedAt  when it ended, on the engine's clock
   */
  public record Report(LocalDate day, int scanned, int read, int cached, SortedMap<InstrumentId, String> failed, List<InstrumentId> stale,
      List<BreakoutSignal.Signal> signals, List<Expert.Outcome> outcomes, String failure, Instant finishedAt) implements OrdoSerializable {

    /** One line for the task's outcome and the log. */
    public String summary() {
      StringBuilder line = new StringBuilder();
      line.append(scanned).append(" instrument(s) scanned for ").append(day).append(" (").append(read).append(" read, ").append(cached)
          .append(" cached, ").append(failed.size()).append(" failed, ").append(stale.size()).append(" stale): ");
      if (signals.isEmpty()) return line.append("no breakout").toString();
      line.append(signals.size()).append(" breakout(s)");
      List<String> each = new ArrayList<>();
      for (int i = 0; i < signals.size(); i++) {
        Expert.Outcome outcome = i < outcomes.size() ? outcomes.get(i) : null;
        String what = outcome == null ? "not sent" : outcome.accepted() ? "accepted as " + outcome.transactionId()
            : "skipped " + outcome.skipped() + (outcome.detail() == null ? "" : " (" + outcome.detail() + ")");
        each.add(signals.get(i).instrument() + " " + what);
      }
      return line.append(": ").append(String.join(", ", each)).toString();
    }
  }

  /**
   * The scans since the scanner started (not journaled).
   *
   * @param scans     scans ended, failed ones included
   * @param reads     daily-bar reads sent to the broker
   * @param cacheHits instruments served from the cache
   * @param last      the last scan's report, null before the first
   */
  public record Status(AccountId account, String expertId, int universe, long scans, long reads, long cacheHits, boolean running, Report last)
      implements OrdoSerializable {}

  /**
   * A scanner of {@code account}.
   *
   * @param gateway     the account's gateway
   * @param recommender where breakouts go
   * @param tradingDay  the venue's trading days (its calendar): a bar of the trading day before the scanned day is fresh
   * @param clock       the engine's clock (the replay clock in a replay): the cache's time
   */
  public static Behavior<Command> create(AccountId account, ActorRef<BrokerGateway.Command> gateway, Recommender recommender,
      Predicate<LocalDate> tradingDay, Clock clock, Settings settings) {
    return Behaviors.setup(context -> new Running(account, context, gateway, recommender, tradingDay, clock, settings).behavior());
  }

  /** The cache entry of one instrument: its bars for {@code day}, read at {@code readAt}. */
  private record Cached(LocalDate day, Instant readAt, List<Bar> bars) {}

  /** A scan in progress. */
  private record Run(long id, LocalDate day, ActorRef<Report> replyTo, Map<InstrumentId, List<Bar>> bars, int read, int cached,
      SortedMap<InstrumentId, String> failed, List<InstrumentId> stale, List<BreakoutSignal.Signal> signals) {}

  private static final class Running {
    private final AccountId account;
    private final ActorContext<Command> context;
    private final ActorRef<BrokerGateway.Command> gateway;
    private final Recommender recommender;
    private final Predicate<LocalDate> tradingDay;
    private final Clock clock;
    private final Settings settings;
    private final Map<InstrumentId, Cached> cache = new HashMap<>();
    private Run running;
    private long runs;
    private long reads;
    private long cacheHits;
    private Report last;

    Running(AccountId account, ActorContext<Command> context, ActorRef<BrokerGateway.Command> gateway, Recommender recommender,
        Predicate<LocalDate> tradingDay, Clock clock, Settings settings) {
      this.account = account;
      this.context = context;
      this.gateway = gateway;
      this.recommender = recommender;
      this.tradingDay = tradingDay;
      this.clock = clock;
      this.settings = settings;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Scan.class, this::onScan)
          .onMessage(Fetched.class, this::onFetched)
          .onMessage(Priced.class, this::onPriced)
          .onMessage(Recommended.class, this::onRecommended)
          .onMessage(GetStatus.class, get -> {
            get.replyTo().tell(new Status(account, settings.expertId(), settings.universe().size(), runs, reads, cacheHits, running != null, last));
            return Behaviors.same();
          })
          .build();
    }

    private Behavior<Command> onScan(Scan scan) {
      if (running != null) {
        scan.replyTo().tell(new Report(scan.day(), settings.universe().size(), 0, 0, new TreeMap<>(), List.of(), List.of(), List.of(),
            "a scan for " + running.day() + " is running", clock.instant()));
        return Behaviors.same();
      }
      Instant now = clock.instant();
      Map<InstrumentId, List<Bar>> bars = new HashMap<>();
      List<InstrumentId> toRead = new ArrayList<>();
      for (InstrumentId id : settings.universe().keySet()) {
        Cached cached = cache.get(id);
        if (cached != null && cached.day().equals(scan.day()) && now.isBefore(cached.readAt().plus(settings.cacheTtl()))) bars.put(id, cached.bars());
        else toRead.add(id);
      }
      long id = ++runs;
      running = new Run(id, scan.day(), scan.replyTo(), bars, toRead.size(), bars.size(), new TreeMap<>(), new ArrayList<>(), new ArrayList<>());
      cacheHits += bars.size();
      reads += toRead.size();
      int count = settings.signal().barsNeeded();
      // The reads run outside the actor; their results come back as one message (the cache changes only in onFetched)
      CompletionStage<List<Read>> done = Source.from(toRead)
          .mapAsync(settings.parallelism(), instrument -> AskPattern.<BrokerGateway.Command, BrokerCall.Reply>ask(gateway,
                  replyTo -> new BrokerGateway.Execute(new BrokerCall.GetDailyBars(instrument, scan.day(), count), BrokerGateway.Priority.SCAN,
                      replyTo), settings.callTimeout(), context.getSystem().scheduler())
              .handle((reply, failure) -> read(instrument, reply, failure)))
          .runWith(Sink.seq(), context.getSystem());
      context.pipeToSelf(done, (list, failure) -> new Fetched(id, failure != null ? List.of() : list));
      return Behaviors.same();
    }

    private static Read read(InstrumentId instrument, BrokerCall.Reply reply, Throwable failure) {
      if (failure != null) return new Read(instrument, null, "no answer: " + failure.getClass().getSimpleName());
      if (reply instanceof BrokerCall.DailyBars daily) return new Read(instrument, daily.bars(), null);
      if (reply instanceof BrokerCall.Failed failed) return new Read(instrument, null, failed.error().getClass().getSimpleName() + ": "
          + failed.error().detail());
      return new Read(instrument, null, "unexpected answer " + reply.getClass().getSimpleName());
    }

    private Behavior<Command> onFetched(Fetched fetched) {
      Run run = running;
      if (run == null || run.id() != fetched.run()) return Behaviors.same();
      Instant now = clock.instant();
      for (Read read : fetched.reads()) {
        if (read.error() != null) {
          run.failed().put(read.instrument(), read.error());
          continue;
        }
        cache.put(read.instrument(), new Cached(run.day(), now, read.bars()));
        run.bars().put(read.instrument(), read.bars());
      }
      if (run.read() > 0 && fetched.reads().isEmpty() && run.bars().isEmpty())
        return finish(run, List.of(), "the reads of daily bars did not complete");
      if (run.bars().isEmpty())
        return finish(run, List.of(), "no instrument could be read: " + run.failed().values().stream().findFirst().orElse("none scanned"));
      LocalDate previous = previousTradingDay(run.day());
      for (InstrumentId id : settings.universe().keySet()) {
        List<Bar> bars = run.bars().get(id);
        if (bars == null) continue;
        if (bars.isEmpty() || !bars.get(bars.size() - 1).tsOpen().toLocalDate().equals(previous)) {
          run.stale().add(id);
          continue;
        }
        settings.signal().evaluate(bars, settings.universe().get(id)).ifPresent(run.signals()::add);
      }
      if (run.signals().isEmpty()) return finish(run, List.of(), null);
      java.util.Set<InstrumentId> instruments = new java.util.TreeSet<>();
      run.signals().forEach(signal -> instruments.add(signal.instrument()));
      context.pipeToSelf(guarded(() -> recommender.lastPrices(instruments)), (prices, failure) -> new Priced(run.id(), prices, failure));
      return Behaviors.same();
    }

    /**
     * The breakouts as BUY recommendations, each exit plan moved to the price the account's trader last saw
     * ({@link BreakoutSignal.Signal#exitPlanAt}); without one (an instrument the account does not trade) the
     * daily bars' levels are sent as they are, and the expert skips it.
     */
    private Behavior<Command> onPriced(Priced priced) {
      Run run = running;
      if (run == null || run.id() != priced.run()) return Behaviors.same();
      if (priced.failure() != null)
        return finish(run, List.of(), "the last prices of the " + run.signals().size() + " breakout(s) could not be read: " + describe(priced.failure()));
      List<Expert.Recommendation> recommendations = new ArrayList<>();
      for (BreakoutSignal.Signal s : run.signals()) {
        Price reference = priced.prices().get(s.instrument());
        BreakoutSignal.ExitPlan plan = reference == null ? new BreakoutSignal.ExitPlan(s.stopLoss(), s.takeProfit())
            : s.exitPlanAt(reference, settings.universe().get(s.instrument()));
        recommendations.add(new Expert.Recommendation(s.instrument(), Expert.Action.BUY, s.confidence(), plan.stopLoss(), plan.takeProfit(), null));
      }
      context.pipeToSelf(guarded(() -> recommender.recommend(settings.expertId(), recommendations)),
          (outcomes, failure) -> new Recommended(run.id(), outcomes, failure));
      return Behaviors.same();
    }

    /** {@code call}'s answer, failed when it throws, bounded by the call timeout. */
    private <T> java.util.concurrent.CompletableFuture<T> guarded(java.util.function.Supplier<CompletionStage<T>> call) {
      java.util.concurrent.CompletableFuture<T> answer;
      try {
        answer = call.get().toCompletableFuture();
      } catch (RuntimeException e) {
        answer = java.util.concurrent.CompletableFuture.failedFuture(e);
      }
      return answer.orTimeout(settings.callTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static String describe(Throwable failure) {
      Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage());
    }

    private Behavior<Command> onRecommended(Recommended recommended) {
      Run run = running;
      if (run == null || run.id() != recommended.run()) return Behaviors.same();
      if (recommended.failure() != null)
        return finish(run, List.of(), "expert " + settings.expertId() + " did not take the " + run.signals().size() + " breakout(s): "
            + describe(recommended.failure()));
      return finish(run, recommended.outcomes().outcomes(), null);
    }

    private Behavior<Command> finish(Run run, List<Expert.Outcome> outcomes, String failure) {
      Report report = new Report(run.day(), settings.universe().size(), run.read(), run.cached(), run.failed(), List.copyOf(run.stale()),
          List.copyOf(run.signals()), List.copyOf(outcomes), failure, clock.instant());
      running = null;
      last = report;
      if (failure != null) context.getLog().warn("Scan of account {} for {} failed: {}", account, run.day(), failure);
      else context.getLog().info("Scan of account {}: {}", account, report.summary());
      run.replyTo().tell(report);
      return Behaviors.same();
    }

    /** The trading day before {@code day} (weekends and holidays skipped), within a year. */
    private LocalDate previousTradingDay(LocalDate day) {
      LocalDate d = day.minusDays(1);
      for (int i = 0; i < 366 && !tradingDay.test(d); i++) d = d.minusDays(1);
      return d;
    }
  }
}
