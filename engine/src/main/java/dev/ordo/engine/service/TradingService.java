package dev.ordo.engine.service;

import dev.ordo.engine.LogMdc;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.broker.Reconciler;
import dev.ordo.engine.marketdata.BarBuilder;
import dev.ordo.engine.marketdata.BarDelivery;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.schedule.TradingDayTasks;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.Credentials;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The supervisor of one account: it starts the account's {@link AuthSession} and
 * {@link BrokerGateway}; for the paper replay the {@link BarDelivery} of replayed bars; live, the
 * {@link MarketDataConnection} of the market-data stream (its ticks built into bars by the
 * {@link BarBuilder}), that of the order feed, and the {@link Reconciler}. It restarts any of them
 * that fails; its gateway registers itself with the receptionist for the account's symbol traders
 * while it runs.
 */
public final class TradingService {

  private TradingService() {}

  /** Protocol of the service. */
  public sealed interface Command extends OrdoSerializable {}

  /** Asks for the service's parts. */
  public record GetParts(ActorRef<Parts> replyTo) implements Command {}

  /** Asks for the service's heartbeat. */
  public record GetHeartbeat(ActorRef<Heartbeat> replyTo) implements Command {}

  /**
   * The service's liveness: it beats every {@code heartbeat-interval} when its session and gateway both
   * answer within the interval.
   *
   * @param lastBeat  wall-clock time of the last beat, null before the first
   * @param interval  the beat's interval: a last beat older than twice that marks the service stale
   */
  public record Heartbeat(AccountId account, java.time.Instant startedAt, java.time.Instant lastBeat, Duration interval)
      implements OrdoSerializable {

    /** Whether the last beat (or the start, before the first beat) is older than twice the interval at {@code now}. */
    public boolean staleAt(java.time.Instant now) {
      java.time.Instant since = lastBeat != null ? lastBeat : startedAt;
      return since.plus(interval.multipliedBy(2)).isBefore(now);
    }
  }

  /**
   * Stops the service gracefully: the live market-data and order-feed connections first (no new bar, no
   * new order), then it waits until its gateway has no call queued or at the broker, at most
   * {@code drainTimeout}; answered with the gateway's calls still unanswered (0 after a clean drain) just
   * before the service stops.
   */
  public record Stop(Duration drainTimeout, ActorRef<Stopped> replyTo) implements Command {}

  /** Answer to {@link Stop}: {@code unanswered} calls were still at the gateway or the broker when it stopped. */
  public record Stopped(AccountId account, int unanswered) implements OrdoSerializable {}

  private record Beaten(java.time.Instant at) implements Command {}

  private enum Beat implements Command {
    INSTANCE
  }

  private record Drained(BrokerGateway.Status status, Throwable failure) implements Command {}

  private enum PollGateway implements Command {
    INSTANCE
  }

  /**
   * The running children of the service.
   *
   * @param barDelivery delivers replayed bars to the symbol traders; null live
   * @param marketData  the market-data stream's connection; null for the paper replay
   * @param reconciler  null for the paper replay
   * @param orderFeed   the order-update stream's connection; null for the paper replay or without an order feed
   * @param scheduler   the tasks of the trading day; null without a {@link Day}
   * @param scanner     the account's scanner; null without one ({@link Day#scan()})
   */
  public record Parts(
      AccountId account,
      ActorRef<AuthSession.Command> authSession,
      ActorRef<BrokerGateway.Command> gateway,
      ActorRef<BarDelivery.Command> barDelivery,
      ActorRef<MarketDataConnection.Command> marketData,
      ActorRef<Reconciler.Command> reconciler,
      ActorRef<MarketDataConnection.Command> orderFeed,
      ActorRef<dev.ordo.engine.schedule.TaskScheduler.Command> scheduler,
      ActorRef<dev.ordo.engine.scanner.Scanner.Command> scanner)
      implements OrdoSerializable {}

  /**
   * The account's trading day: what its {@link dev.ordo.engine.schedule.TaskScheduler} runs and when.
   *
   * @param zone         the venue's zone, in which the times of day are read
   * @param tradingDay   whether a date is a trading day of the account's venue (its {@code TradingCalendar})
   * @param clock        the engine's clock (the replay clock in a replay)
   * @param selfTimed    true live (the scheduler wakes itself); false in a replay, whose driver runs the due tasks between steps
   * @param instruments  the account's instruments, read at each run
   * @param fills        where the paper reconciler's fills go (the order-update router); the live one uses {@link Live#fills()}
   * @param preOpenLogin time of {@code pre-open-login} (NSE: 08:55)
   * @param marketOpen   the open (NSE: 09:15), until which yesterday's failed orders are kept
   * @param eodCleanup   time of {@code eod-cleanup} (18:00)
   * @param taskTimeout  how long one task may wait for one answer
   * @param experts      the ids of the account's experts, read at each {@code market-open-exits} and reconciliation
   * @param expireDayOrders the simulated venue's end of the trading day at {@code eod-cleanup}: expires its working DAY orders
   *                     at the given instant, completing with their ClientOrderIds; null when the broker does it itself (live)
   * @param scan         the account's scanner and the time of its daily {@code scan}; null: none
   */
  public record Day(java.time.ZoneId zone, java.util.function.Predicate<java.time.LocalDate> tradingDay, java.time.Clock clock,
      boolean selfTimed, java.util.function.Supplier<java.util.Set<dev.ordo.engine.model.InstrumentId>> instruments,
      dev.ordo.engine.port.OrderUpdateListener fills, java.time.LocalTime preOpenLogin, java.time.LocalTime marketOpen,
      java.time.LocalTime eodCleanup, Duration taskTimeout,
      java.util.function.Supplier<java.util.concurrent.CompletionStage<java.util.List<String>>> experts,
      java.util.function.Function<java.time.Instant, java.util.concurrent.CompletionStage<java.util.List<dev.ordo.engine.model.ClientOrderId>>>
          expireDayOrders, Scan scan) {

    /** The day of an account whose broker expires its DAY orders itself (live), without a scanner. */
    public Day(java.time.ZoneId zone, java.util.function.Predicate<java.time.LocalDate> tradingDay, java.time.Clock clock,
        boolean selfTimed, java.util.function.Supplier<java.util.Set<dev.ordo.engine.model.InstrumentId>> instruments,
        dev.ordo.engine.port.OrderUpdateListener fills, java.time.LocalTime preOpenLogin, java.time.LocalTime marketOpen,
        java.time.LocalTime eodCleanup, Duration taskTimeout,
        java.util.function.Supplier<java.util.concurrent.CompletionStage<java.util.List<String>>> experts) {
      this(zone, tradingDay, clock, selfTimed, instruments, fills, preOpenLogin, marketOpen, eodCleanup, taskTimeout, experts, null, null);
    }

    /** The day of a paper account whose venue expires its DAY orders at {@code eod-cleanup} ({@code expireDayOrders}), without a scanner. */
    public Day(java.time.ZoneId zone, java.util.function.Predicate<java.time.LocalDate> tradingDay, java.time.Clock clock,
        boolean selfTimed, java.util.function.Supplier<java.util.Set<dev.ordo.engine.model.InstrumentId>> instruments,
        dev.ordo.engine.port.OrderUpdateListener fills, java.time.LocalTime preOpenLogin, java.time.LocalTime marketOpen,
        java.time.LocalTime eodCleanup, Duration taskTimeout,
        java.util.function.Supplier<java.util.concurrent.CompletionStage<java.util.List<String>>> experts,
        java.util.function.Function<java.time.Instant, java.util.concurrent.CompletionStage<java.util.List<dev.ordo.engine.model.ClientOrderId>>>
            expireDayOrders) {
      this(zone, tradingDay, clock, selfTimed, instruments, fills, preOpenLogin, marketOpen, eodCleanup, taskTimeout, experts, expireDayOrders,
          null);
    }

    /** This day with {@code scan}. */
    public Day withScan(Scan newScan) {
      return new Day(zone, tradingDay, clock, selfTimed, instruments, fills, preOpenLogin, marketOpen, eodCleanup, taskTimeout, experts, expireDayOrders,
          newScan);
    }
  }

  /**
   * The account's scanner ({@link dev.ordo.engine.scanner.Scanner}) and its daily task.
   *
   * @param settings    what it scans and where the breakouts go
   * @param recommender the engine's path for recommendations to an expert
   * @param at          time of day of the {@code scan} task in the venue's zone (after the open: an entry is a market order)
   */
  public record Scan(dev.ordo.engine.scanner.Scanner.Settings settings, dev.ordo.engine.scanner.Scanner.Recommender recommender,
      java.time.LocalTime at) {}

  /**
   * What a service on a networked broker runs besides the basics: the broker's market-data stream
   * (ticks built into bars for the symbol traders) and the reconciler.
   *
   * @param barInterval  bar length built from ticks (NSE reference strategy: 5 minutes)
   * @param zones        exchange time zone per instrument, for bar windows and session dates
   * @param fills        where fills found by reconciliation go (the order-update router)
   * @param instruments  the instruments traded (read at every reconciliation)
   * @param seed         seed of the reconnect jitter
   * @param orderFeed    the broker's order-update stream; each pushed change starts a reconciliation (null: none)
   */
  public record Live(
      dev.ordo.engine.port.MarketDataStream stream,
      MarketDataConnection.StreamSettings streamSettings,
      java.time.Duration barInterval,
      java.util.function.Function<dev.ordo.engine.model.InstrumentId, java.time.ZoneId> zones,
      dev.ordo.engine.port.OrderUpdateListener fills,
      java.util.function.Supplier<java.util.Set<dev.ordo.engine.model.InstrumentId>> instruments,
      Reconciler.Settings reconciler,
      java.time.Clock clock,
      long seed,
      dev.ordo.engine.port.MarketDataStream orderFeed) {}

  /**
   * Settings of a service.
   *
   * @param marketDataAskTimeout how long a symbol trader may take to handle one replayed market event
   * @param heartbeatInterval    how often the service beats ({@link Heartbeat})
   * @param wallClock            the heartbeat's clock, and the one the gateway times its calls on: the machine's, even in a replay
   * @param gatewayListener      what the gateway tells of each call's queue wait and answer time (metrics)
   */
  public record Settings(AuthSession.Settings auth, BrokerGateway.Settings gateway, Duration marketDataAskTimeout, Duration heartbeatInterval,
      java.time.Clock wallClock, BrokerGateway.Listener gatewayListener) {
    public Settings(AuthSession.Settings auth, BrokerGateway.Settings gateway, Duration marketDataAskTimeout) {
      this(auth, gateway, marketDataAskTimeout, Duration.ofSeconds(10), java.time.Clock.systemUTC());
    }

    /** Settings whose gateway reports to no listener. */
    public Settings(AuthSession.Settings auth, BrokerGateway.Settings gateway, Duration marketDataAskTimeout, Duration heartbeatInterval,
        java.time.Clock wallClock) {
      this(auth, gateway, marketDataAskTimeout, heartbeatInterval, wallClock, BrokerGateway.Listener.NONE);
    }

    public static Settings defaults() {
      return new Settings(AuthSession.Settings.defaults(), BrokerGateway.Settings.defaults(), Duration.ofSeconds(60));
    }

    /** These settings with {@code interval} between beats. */
    public Settings withHeartbeat(Duration interval, java.time.Clock clock) {
      return new Settings(auth, gateway, marketDataAskTimeout, interval, clock, gatewayListener);
    }

    /** These settings with the gateway reporting its calls to {@code listener}. */
    public Settings withGatewayListener(BrokerGateway.Listener listener) {
      return new Settings(auth, gateway, marketDataAskTimeout, heartbeatInterval, wallClock, listener);
    }

    /**
     * Reads {@code auth.*}, {@code gateway.*}, {@code market-data-ask-timeout} and {@code heartbeat-interval} of {@code config}
     * (the {@code ordo.trading-service} block).
     *
     * @throws com.typesafe.config.ConfigException when a key is missing or of the wrong type
     */
    public static Settings fromConfig(com.typesafe.config.Config config) {
      return new Settings(
          new AuthSession.Settings(config.getInt("auth.max-waiting"), config.getDuration("auth.wait-timeout"),
              config.getDuration("auth.min-backoff"), config.getDuration("auth.max-backoff")),
          new BrokerGateway.Settings(config.getDouble("gateway.calls-per-second"), config.getInt("gateway.burst"),
              config.getInt("gateway.queue-capacity"), config.getDuration("gateway.token-timeout")),
          config.getDuration("market-data-ask-timeout"), config.getDuration("heartbeat-interval"), java.time.Clock.systemUTC());
    }
  }

  /** The service of the paper replay. */
  public static Behavior<Command> create(AccountId account, Broker broker, Credentials credentials, Settings settings) {
    return create(account, broker, credentials, settings, null, null);
  }

  /** A service without a trading day (no scheduler). */
  public static Behavior<Command> create(AccountId account, Broker broker, Credentials credentials, Settings settings, Live live) {
    return create(account, broker, credentials, settings, live, null);
  }

  /**
   * A service; with {@code live} (null for the paper replay) it runs the streams, the bar builder and the
   * reconciler instead of the bar delivery; with {@code day} (may be null) the scheduler of the
   * account's tasks, and for the paper replay a reconciler that runs on demand.
   */
  public static Behavior<Command> create(AccountId account, Broker broker, Credentials credentials, Settings settings,
      Live live, Day day) {
    return create(account, broker, credentials, settings, live, day, null);
  }

  /**
   * A service as {@link #create(AccountId, Broker, Credentials, Settings, Live, Day)} whose gateway checks every placement with
   * {@code risk}, the account's {@link dev.ordo.engine.risk.AccountRisk} (null: no pre-trade checks).
   */
  public static Behavior<Command> create(AccountId account, Broker broker, Credentials credentials, Settings settings,
      Live live, Day day, org.apache.pekko.actor.typed.RecipientRef<dev.ordo.engine.risk.AccountRisk.Command> risk) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ActorRef<AuthSession.Command> auth = context.spawn(
          LogMdc.ofAccount(AuthSession.Command.class, account,
              Behaviors.supervise(AuthSession.create(account, broker, credentials, settings.auth())).onFailure(SupervisorStrategy.restart())),
          "auth-session");
      ActorRef<BrokerGateway.Command> gateway = context.spawn(
          LogMdc.ofAccount(BrokerGateway.Command.class, account,
              Behaviors.supervise(BrokerGateway.create(account, broker, auth, settings.gateway(), risk, settings.wallClock(),
                  settings.gatewayListener())).onFailure(SupervisorStrategy.restart())),
          "broker-gateway");
      ActorRef<BarDelivery.Command> barDelivery = null;
      ActorRef<MarketDataConnection.Command> marketData = null;
      ActorRef<Reconciler.Command> reconciler = null;
      ActorRef<MarketDataConnection.Command> orderFeed = null;
      if (live == null) {
        // Resumed, not restarted, after a failure: a restart would forget the subscriptions and deliver nothing more.
        barDelivery = context.spawn(LogMdc.ofAccount(BarDelivery.Command.class, account, Behaviors.supervise(BarDelivery.create(account,
            settings.marketDataAskTimeout())).onFailure(SupervisorStrategy.resume())), "bar-delivery");
        if (day != null)
          reconciler = context.spawn(LogMdc.ofAccount(Reconciler.Command.class, account, Behaviors.supervise(Reconciler.create(account, gateway,
              day.fills(), day.instruments(), day.experts(), Reconciler.Settings.onDemand(day.taskTimeout()), day.clock()))
              .onFailure(SupervisorStrategy.restart())), "reconciler");
      } else {
        reconciler = context.spawn(LogMdc.ofAccount(Reconciler.Command.class, account, Behaviors.supervise(day == null
            ? Reconciler.create(account, gateway, live.fills(), live.instruments(), live.reconciler(), live.clock())
            : Reconciler.create(account, gateway, live.fills(), live.instruments(), day.experts(), live.reconciler(), live.clock()))
            .onFailure(SupervisorStrategy.restart())), "reconciler");
        ActorRef<BarBuilder.Command> bars = context.spawn(
            Behaviors.supervise(BarBuilder.create(account, live.barInterval(), live.zones())).onFailure(SupervisorStrategy.restart()), "bar-builder");
        ActorRef<Reconciler.Command> reconcile = reconciler;
        MarketDataConnection.StreamSide streamSide = new MarketDataConnection.StreamSide(live.stream(), auth,
            tick -> bars.tell(new BarBuilder.OnTick(tick)), new java.util.Random(live.seed()), live.streamSettings(),
            () -> reconcile.tell(new Reconciler.Reconcile("reconnect", null)));
        // The connections resume after a failure: a restart would forget the subscriptions and that a connection is wanted, and stay deaf.
        marketData = context.spawn(LogMdc.ofAccount(MarketDataConnection.Command.class, account,
            Behaviors.supervise(MarketDataConnection.create(account, streamSide)).onFailure(SupervisorStrategy.resume())),
            "market-data");
        if (live.orderFeed() != null) {
          MarketDataConnection.StreamSide feedSide = new MarketDataConnection.StreamSide(live.orderFeed(), auth, tick -> {},
              new java.util.Random(live.seed() + 1), live.streamSettings(), () -> reconcile.tell(new Reconciler.Reconcile("order feed reconnect", null)),
              () -> reconcile.tell(new Reconciler.Reconcile("order update", null)), "Order feed");
          orderFeed = context.spawn(LogMdc.ofAccount(MarketDataConnection.Command.class, account,
              Behaviors.supervise(MarketDataConnection.create(account, feedSide)).onFailure(SupervisorStrategy.resume())), "order-feed");
        }
      }
      ActorRef<dev.ordo.engine.schedule.TaskScheduler.Command> scheduler = null;
      ActorRef<dev.ordo.engine.scanner.Scanner.Command> scanner = null;
      if (day != null) {
        java.util.List<dev.ordo.engine.schedule.DayTask> tasks = new java.util.ArrayList<>();
        tasks.add(TradingDayTasks.preOpenLogin(auth, context.getSystem().scheduler(), day.preOpenLogin(), day.taskTimeout()));
        tasks.add(TradingDayTasks.reconcile(reconciler, context.getSystem().scheduler(), day.taskTimeout()));
        tasks.add(TradingDayTasks.marketOpenExits(reconciler, day.experts(),
            org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(context.getSystem()), context.getSystem().scheduler(), day.zone(),
            day.marketOpen(), day.taskTimeout()));
        tasks.add(TradingDayTasks.eodCleanup(account, day.instruments(), day.expireDayOrders(), reconciler,
            org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(context.getSystem()), context.getSystem().scheduler(),
            day.eodCleanup(), day.marketOpen(), day.taskTimeout()));
        if (day.scan() != null) {
          scanner = context.spawn(LogMdc.ofAccount(dev.ordo.engine.scanner.Scanner.Command.class, account,
              Behaviors.supervise(dev.ordo.engine.scanner.Scanner.create(account, gateway, day.scan().recommender(), day.tradingDay(), day.clock(),
                  day.scan().settings())).onFailure(SupervisorStrategy.restart())), "scanner");
          tasks.add(TradingDayTasks.scan(scanner, context.getSystem().scheduler(), day.scan().at(), day.taskTimeout()));
        }
        scheduler = context.spawn(LogMdc.ofAccount(dev.ordo.engine.schedule.TaskScheduler.Command.class, account,
            dev.ordo.engine.schedule.TaskScheduler.create(account, tasks, day.zone(), day.tradingDay(), day.clock(), day.selfTimed())),
            "task-scheduler");
      }
      context.getLog().info("Trading service of account {} started", account);
      Parts parts = new Parts(account, auth, gateway, barDelivery, marketData, reconciler, orderFeed, scheduler, scanner);
      timers.startTimerWithFixedDelay(Beat.INSTANCE, Duration.ZERO, settings.heartbeatInterval());
      return new Running(account, parts, settings, context, timers).behavior();
    }));
  }

  /** The running service: its parts, its heartbeat, and its graceful stop. */
  private static final class Running {
    private final AccountId account;
    private final Parts parts;
    private final Settings settings;
    private final org.apache.pekko.actor.typed.javadsl.ActorContext<Command> context;
    private final org.apache.pekko.actor.typed.javadsl.TimerScheduler<Command> timers;
    private final java.time.Instant startedAt;
    private java.time.Instant lastBeat;
    private boolean beating;
    private Stop stopping;
    private java.time.Instant drainDeadline;

    Running(AccountId account, Parts parts, Settings settings, org.apache.pekko.actor.typed.javadsl.ActorContext<Command> context,
        org.apache.pekko.actor.typed.javadsl.TimerScheduler<Command> timers) {
      this.account = account;
      this.parts = parts;
      this.settings = settings;
      this.context = context;
      this.timers = timers;
      this.startedAt = settings.wallClock().instant();
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(GetParts.class, request -> {
            request.replyTo().tell(parts);
            return Behaviors.same();
          })
          .onMessage(GetHeartbeat.class, request -> {
            request.replyTo().tell(new Heartbeat(account, startedAt, lastBeat, settings.heartbeatInterval()));
            return Behaviors.same();
          })
          .onMessage(Beat.class, beat -> {
            if (!beating) beat();
            return Behaviors.same();
          })
          .onMessage(Beaten.class, beaten -> {
            beating = false;
            if (beaten.at() != null) lastBeat = beaten.at();
            return Behaviors.same();
          })
          .onMessage(Stop.class, this::onStop)
          .onMessage(Drained.class, this::onDrained)
          .onMessage(PollGateway.class, poll -> {
            askGateway();
            return Behaviors.same();
          })
          .onSignal(PostStop.class, signal -> {
            context.getLog().info("Trading service of account {} stopped", account);
            return Behaviors.same();
          })
          .build();
    }

    /** Beats when the session and the gateway both answer within the interval: a service whose parts hang goes stale. */
    private void beat() {
      beating = true;
      Duration within = settings.heartbeatInterval();
      var scheduler = context.getSystem().scheduler();
      var session = org.apache.pekko.actor.typed.javadsl.AskPattern.<AuthSession.Command, AuthSession.Status>ask(parts.authSession(),
          AuthSession.GetStatus::new, within, scheduler).toCompletableFuture();
      var gateway = org.apache.pekko.actor.typed.javadsl.AskPattern.<BrokerGateway.Command, BrokerGateway.Status>ask(parts.gateway(),
          BrokerGateway.GetStatus::new, within, scheduler).toCompletableFuture();
      context.pipeToSelf(java.util.concurrent.CompletableFuture.allOf(session, gateway),
          (ok, failure) -> new Beaten(failure == null ? settings.wallClock().instant() : null));
    }

    private Behavior<Command> onStop(Stop stop) {
      if (stopping != null) {
        context.getLog().info("Trading service of account {} is already stopping", account);
        return Behaviors.same();
      }
      stopping = stop;
      drainDeadline = settings.wallClock().instant().plus(stop.drainTimeout());
      context.getLog().info("Trading service of account {} stopping: its streams first, then it waits for its broker calls (at most {})",
          account, stop.drainTimeout());
      if (parts.marketData() != null) context.stop(parts.marketData());
      if (parts.orderFeed() != null) context.stop(parts.orderFeed());
      askGateway();
      return Behaviors.same();
    }

    private void askGateway() {
      context.pipeToSelf(org.apache.pekko.actor.typed.javadsl.AskPattern.<BrokerGateway.Command, BrokerGateway.Status>ask(parts.gateway(),
          BrokerGateway.GetStatus::new, Duration.ofSeconds(5), context.getSystem().scheduler()), Drained::new);
    }

    private Behavior<Command> onDrained(Drained drained) {
      boolean idle = drained.failure() == null && drained.status().idle();
      boolean late = !settings.wallClock().instant().isBefore(drainDeadline);
      if (!idle && !late) {
        timers.startSingleTimer(PollGateway.INSTANCE, Duration.ofMillis(100));
        return Behaviors.same();
      }
      int unanswered = drained.status() == null ? -1 : drained.status().inFlight()
          + drained.status().queued().values().stream().mapToInt(Integer::intValue).sum();
      if (!idle) context.getLog().warn("Trading service of account {} stops with {} broker call(s) unanswered after {}", account,
          unanswered < 0 ? "an unknown number of" : unanswered, stopping.drainTimeout());
      stopping.replyTo().tell(new Stopped(account, Math.max(unanswered, 0)));
      return Behaviors.stopped();
    }
  }
}
