package dev.ordo.engine.service;

import dev.ordo.engine.JournalFailures;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.Credentials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * Starts and stops one {@link TradingService} per account, and journals every start, stop and
 * failure of a service ({@link ServiceStarted}, {@link ServiceStopped}, {@link ServiceFailed}) with who
 * asked, so an audit shows when a service was stopped and by whom. Local to its JVM: its commands
 * carry the broker adapter object and are never serialized.
 *
 * <p>An account moves {@code STARTING → RUNNING → STOPPING → STOPPED}, or {@code FAILED} when its
 * service stops without being asked. {@link Start} and {@link Stop} are the operator's controls: a
 * start of a service that is not stopped (or failed), or a stop of one that is not running, is
 * answered {@link Conflict} with the current state. A stop is graceful ({@link TradingService.Stop}):
 * the account's {@link Lifecycle} first stops what feeds it (the paper replay pauses after its running
 * step), then the service lets its broker calls finish or time out; a start runs a new service and
 * tells the lifecycle, which resumes from the journal.
 */
public final class ServiceManager extends EventSourcedBehavior<ServiceManager.Command, ServiceManager.Event, ServiceManager.State> {

  /** What runs around an account's service: told when it started again, asked to stop feeding it before a stop. */
  public interface Lifecycle {
    /** The service runs again after a stop ({@link Start}); completes when the account trades again (the paper replay resumed). */
    CompletionStage<Done> started(TradingService.Parts parts);

    /** The service is about to stop; completes when nothing feeds it any more (the paper replay paused after its running step). */
    CompletionStage<Done> stopping();

    /**
     * The instruments the account trades, once known (a live account: after its first login loaded the broker's scrip master);
     * null before. Asked by {@link GetInstruments}: how the cluster's other nodes learn them (their symbol traders' tick sizes).
     */
    default List<dev.ordo.engine.model.Instrument> instruments() {
      return null;
    }

    /** Nothing around the service. */
    Lifecycle NONE = new Lifecycle() {
      @Override
      public CompletionStage<Done> started(TradingService.Parts parts) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }

      @Override
      public CompletionStage<Done> stopping() {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
    };
  }

  /**
   * How to run the service of an account.
   *
   * @param live      null for the paper replay
   * @param day       the account's trading day (its scheduler); null for none
   * @param lifecycle what runs around the service
   * @param risk      the account's pre-trade checks ({@link dev.ordo.engine.risk.AccountRisk}) its gateway consults; null for none
   */
  public record ServiceSpec(AccountId account, Broker broker, Credentials credentials, TradingService.Live live, TradingService.Day day,
      Lifecycle lifecycle, org.apache.pekko.actor.typed.RecipientRef<dev.ordo.engine.risk.AccountRisk.Command> risk) {

    /** A service without pre-trade checks. */
    public ServiceSpec(AccountId account, Broker broker, Credentials credentials, TradingService.Live live, TradingService.Day day,
        Lifecycle lifecycle) {
      this(account, broker, credentials, live, day, lifecycle, null);
    }
  }

  /**
   * Protocol of the manager. The operator's controls and questions ({@link Start}, {@link Stop}, {@link GetAccounts},
   * {@link GetServices}, {@link GetInstruments}) may come from another cluster node and are serializable; the rest carry the
   * broker adapter object and stay in the manager's JVM.
   */
  public sealed interface Command {}

  /** Starts the service of {@code spec}'s account at boot (answers the running one if already started). */
  public record StartService(ServiceSpec spec, String requestedBy, ActorRef<ActorRef<TradingService.Command>> replyTo)
      implements Command, NoSerializationVerificationNeeded {

    /** A service without a trading day, started by the engine; {@code live} is null for the paper replay. */
    public StartService(AccountId account, Broker broker, Credentials credentials, TradingService.Live live,
        ActorRef<ActorRef<TradingService.Command>> replyTo) {
      this(new ServiceSpec(account, broker, credentials, live, null, Lifecycle.NONE), "engine", replyTo);
    }

    public StartService(AccountId account, Broker broker, Credentials credentials, ActorRef<ActorRef<TradingService.Command>> replyTo) {
      this(account, broker, credentials, null, replyTo);
    }
  }

  /** The operator starts the stopped (or failed) service of {@code account} again. */
  public record Start(AccountId account, String requestedBy, ActorRef<ControlAnswer> replyTo) implements Command, OrdoSerializable {}

  /** The operator stops the running service of {@code account}; answered once it stopped. */
  public record Stop(AccountId account, String requestedBy, ActorRef<ControlAnswer> replyTo) implements Command, OrdoSerializable {}

  /** Stops the service of {@code account} (the engine, not an operator); answers whether one was running. */
  public record StopService(AccountId account, ActorRef<Boolean> replyTo) implements Command, NoSerializationVerificationNeeded {}

  /**
   * The manager of one account ({@link #forAccount}) is about to move to another cluster node (its node leaves): the service
   * stops gracefully (its broker calls finish or time out, like {@link Stop}), then the manager stops, and the node that takes
   * the account over starts the service again.
   */
  public enum HandOver implements Command, OrdoSerializable {
    INSTANCE
  }

  /** Asks for the services running. */
  public record GetServices(ActorRef<Services> replyTo) implements Command, OrdoSerializable {}

  /** The services running, by account. */
  public record Services(Map<AccountId, ActorRef<TradingService.Command>> byAccount) implements OrdoSerializable {
    public Services {
      byAccount = Map.copyOf(byAccount);
    }
  }

  /** Asks for every account's state, running or not. */
  public record GetAccounts(ActorRef<Accounts> replyTo) implements Command, OrdoSerializable {}

  /** Every account of the manager, by id. */
  public record Accounts(Map<AccountId, AccountState> byAccount) implements OrdoSerializable {
    public Accounts {
      byAccount = java.util.Collections.unmodifiableMap(new TreeMap<>(byAccount));
    }
  }

  /** Asks for the instruments {@code account} trades ({@link Lifecycle#instruments()}). */
  public record GetInstruments(AccountId account, ActorRef<Instruments> replyTo) implements Command, OrdoSerializable {}

  /**
   * The instruments of an account, or {@code instruments == null} while they are not known yet (its service is still logging in
   * for the first time), with the account's state then (null: no such account here).
   */
  public record Instruments(AccountId account, List<dev.ordo.engine.model.Instrument> instruments, AccountState state) implements OrdoSerializable {}

  /** Answer to {@link Start} and {@link Stop}. */
  public sealed interface ControlAnswer extends OrdoSerializable {}

  /** Done: the account is now in {@code state}. */
  public record Changed(AccountId account, AccountState state) implements ControlAnswer {}

  /** Refused: the account is in {@code state}, where the action does not apply. */
  public record Conflict(AccountId account, AccountState state, String reason) implements ControlAnswer {}

  /** No such account; {@code accounts} are the known ones. */
  public record UnknownAccount(AccountId account, List<AccountId> accounts) implements ControlAnswer {}

  /** A service's state. */
  public enum ServiceState {
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED,
    FAILED,
    /**
     * Not a state a manager is in: the engine's answer for an account whose manager did not answer in time (its cluster node was
     * lost and the service is moving to another node).
     */
    UNREACHABLE
  }

  /**
   * An account's service as the manager sees it.
   *
   * @param reason  why it failed, or stopped; null otherwise
   * @param since   when it entered {@code state}
   * @param service its service while one runs, else null
   * @param node    the cluster node whose manager runs the service ({@code pekko://ordo@127.0.0.1:25520})
   */
  public record AccountState(ServiceState state, String reason, Instant since, String changedBy, ActorRef<TradingService.Command> service,
      String node) {}

  private record ServiceTerminated(AccountId account, ActorRef<TradingService.Command> service)
      implements Command, NoSerializationVerificationNeeded {}

  private record ResumedAfterStart(AccountId account, ActorRef<TradingService.Command> service, Throwable failure)
      implements Command, NoSerializationVerificationNeeded {}

  private record FeedStopped(AccountId account, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  private record ServiceDrained(AccountId account, TradingService.Stopped stopped, Throwable failure)
      implements Command, NoSerializationVerificationNeeded {}

  /** Starts the service of the manager's one account ({@link #forAccount}), sent by the manager to itself at its start. */
  private record Boot(ServiceSpec spec) implements Command, NoSerializationVerificationNeeded {}

  /** Events: the journal of control actions. */
  public sealed interface Event extends OrdoSerializable {}

  /** The service of {@code account} was started by {@code requestedBy} ({@code engine} at boot, else an API subject). */
  public record ServiceStarted(AccountId account, String requestedBy, Instant tsEvent) implements Event {}

  /** The service was stopped by {@code requestedBy}; {@code unanswered} broker calls were cut short (null: the service did not say). */
  public record ServiceStopped(AccountId account, String requestedBy, Integer unanswered, Instant tsEvent) implements Event {}

  /** The service stopped without being asked, or could not resume after a start. */
  public record ServiceFailed(AccountId account, String reason, Instant tsEvent) implements Event {}

  /**
   * The journaled state: the last control event of each account (for the audit; which services run is
   * the process's own, and every configured account starts with the process).
   */
  public record State(Map<AccountId, Event> lastEvents) implements OrdoSerializable {
    public State {
      lastEvents = Map.copyOf(lastEvents);
    }
  }

  /** An account known to this process. */
  private static final class Account {
    final ServiceSpec spec;
    AccountState state;
    final List<ActorRef<ControlAnswer>> waiting = new ArrayList<>();
    String stopRequestedBy;
    boolean drainAnswered;
    boolean terminated;
    Integer unanswered;

    Account(ServiceSpec spec, AccountState state) {
      this.spec = spec;
      this.state = state;
    }
  }

  /** The id of the engine process's manager (one per process; a cluster node will need its own). */
  public static final String ENGINE_ID = "engine";

  /** The manager's persistence id, {@code ServiceManager|engine}. */
  public static final PersistenceId PERSISTENCE_ID = PersistenceId.of("ServiceManager", ENGINE_ID);

  private final TradingService.Settings settings;
  private final Duration drainTimeout;
  private final Clock clock;
  private final ActorContext<Command> context;
  private final Map<AccountId, Account> accounts = new TreeMap<>();
  /** This manager's node, shown with each account's state. */
  private final String node;
  /** Whether a {@link HandOver} asked the manager to stop once its service has stopped. */
  private boolean handingOver;

  /** A manager whose graceful stops wait at most 30 s for broker calls. */
  public static Behavior<Command> create(TradingService.Settings settings) {
    return create(settings, Duration.ofSeconds(30), Clock.systemUTC());
  }

  /**
   * @param drainTimeout how long a stop waits for the service's broker calls to end
   * @param clock        stamps the events (the wall clock: control actions happen in real time, even in a replay)
   */
  public static Behavior<Command> create(TradingService.Settings settings, Duration drainTimeout, Clock clock) {
    return create(ENGINE_ID, settings, drainTimeout, clock);
  }

  /**
   * The manager of {@code spec}'s account alone, journaling under {@code ServiceManager|<account>}: it starts the service at once
   * ({@code STARTING} until {@link Lifecycle#started} completes, then {@code RUNNING}; {@code FAILED} when that fails, a first login
   * refused for instance). Run once in the cluster per account (a cluster singleton, stopped with {@link HandOver}), so one login,
   * one rate limit and one market-data connection per account hold however many nodes run.
   */
  public static Behavior<Command> forAccount(ServiceSpec spec, TradingService.Settings settings, Duration drainTimeout, Clock clock) {
    return Behaviors.setup(context -> {
      context.getSelf().tell(new Boot(spec));
      return new ServiceManager(PersistenceId.of("ServiceManager", spec.account().value()), settings, drainTimeout, clock, context);
    });
  }

  /** A manager journaling under {@code ServiceManager|id} (one per engine process: {@link #ENGINE_ID}). */
  public static Behavior<Command> create(String id, TradingService.Settings settings, Duration drainTimeout, Clock clock) {
    return Behaviors.setup(context -> new ServiceManager(PersistenceId.of("ServiceManager", id), settings, drainTimeout, clock, context));
  }

  private ServiceManager(PersistenceId persistenceId, TradingService.Settings settings, Duration drainTimeout, Clock clock,
      ActorContext<Command> context) {
    super(persistenceId, JournalFailures.BACKOFF);
    this.settings = settings;
    this.drainTimeout = drainTimeout;
    this.clock = clock;
    this.context = context;
    this.node = context.getSystem().address().toString();
  }

  private AccountState stateOf(ServiceState state, String reason, Instant since, String changedBy, ActorRef<TradingService.Command> service) {
    return new AccountState(state, reason, since, changedBy, service, node);
  }

  @Override
  public State emptyState() {
    return initialState();
  }

  /** A manager that never started a service: what {@link #applyEvent} folds from. */
  public static State initialState() {
    return new State(Map.of());
  }

  /** The manager's event handler: the last control event of each account. */
  public static State applyEvent(State state, Event event) {
    Map<AccountId, Event> last = new TreeMap<>(state.lastEvents());
    if (event instanceof ServiceStarted e) last.put(e.account(), e);
    else if (event instanceof ServiceStopped e) last.put(e.account(), e);
    else if (event instanceof ServiceFailed e) last.put(e.account(), e);
    else throw new IllegalArgumentException("not the service manager's event: " + event);
    return new State(last);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(ServiceManager::applyEvent);
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(StartService.class, this::onStartService)
        .onCommand(Start.class, this::onStart)
        .onCommand(Stop.class, (state, stop) -> onStop(stop.account(), stop.requestedBy(), stop.replyTo()))
        .onCommand(StopService.class, (state, stop) -> {
          Account account = accounts.get(stop.account());
          boolean running = account != null && account.state.service() != null;
          if (!running) {
            stop.replyTo().tell(false);
            return Effect().none();
          }
          ActorRef<ControlAnswer> ignore = context.getSystem().ignoreRef();
          stop.replyTo().tell(true);
          return onStop(stop.account(), "engine", ignore);
        })
        .onCommand(GetServices.class, (state, request) -> {
          Map<AccountId, ActorRef<TradingService.Command>> running = new TreeMap<>();
          accounts.forEach((id, account) -> {
            if (account.state.service() != null) running.put(id, account.state.service());
          });
          request.replyTo().tell(new Services(running));
          return Effect().none();
        })
        .onCommand(GetAccounts.class, (state, request) -> {
          Map<AccountId, AccountState> all = new TreeMap<>();
          accounts.forEach((id, account) -> all.put(id, account.state));
          request.replyTo().tell(new Accounts(all));
          return Effect().none();
        })
        .onCommand(GetInstruments.class, (state, request) -> {
          Account account = accounts.get(request.account());
          List<dev.ordo.engine.model.Instrument> known = account == null ? null : account.spec.lifecycle().instruments();
          request.replyTo().tell(new Instruments(request.account(), known == null ? null : List.copyOf(known),
              account == null ? null : account.state));
          return Effect().none();
        })
        .onCommand(Boot.class, this::onBoot)
        .onCommand(HandOver.class, this::onHandOver)
        .onCommand(ResumedAfterStart.class, this::onResumedAfterStart)
        .onCommand(FeedStopped.class, this::onFeedStopped)
        .onCommand(ServiceDrained.class, this::onDrained)
        .onCommand(ServiceTerminated.class, this::onTerminated)
        .build();
  }

  private Effect<Event, State> onStartService(State state, StartService start) {
    AccountId id = start.spec().account();
    Account known = accounts.get(id);
    if (known != null && known.state.service() != null) {
      start.replyTo().tell(known.state.service());
      return Effect().none();
    }
    ActorRef<TradingService.Command> service = spawn(start.spec());
    accounts.put(id, new Account(start.spec(), stateOf(ServiceState.RUNNING, null, clock.instant(), start.requestedBy(), service)));
    return Effect().persist(new ServiceStarted(id, start.requestedBy(), clock.instant())).thenRun(s -> start.replyTo().tell(service));
  }

  private Effect<Event, State> onStart(State state, Start start) {
    Account account = accounts.get(start.account());
    if (account == null) {
      start.replyTo().tell(new UnknownAccount(start.account(), List.copyOf(accounts.keySet())));
      return Effect().none();
    }
    ServiceState current = account.state.state();
    if (current != ServiceState.STOPPED && current != ServiceState.FAILED) {
      start.replyTo().tell(new Conflict(start.account(), account.state, "the service of account " + start.account() + " is " + current
          + "; only a STOPPED or FAILED service can be started"));
      return Effect().none();
    }
    account.waiting.add(start.replyTo());
    context.getLog().info("Service of account {} starting, asked by {}", start.account(), start.requestedBy());
    return starting(account, start.requestedBy());
  }

  /** Spawns the service of {@code account}, STARTING until its lifecycle says it runs. */
  private Effect<Event, State> starting(Account account, String requestedBy) {
    AccountId id = account.spec.account();
    ActorRef<TradingService.Command> service = spawn(account.spec);
    account.state = stateOf(ServiceState.STARTING, null, clock.instant(), requestedBy, service);
    CompletionStage<Done> resumed = AskPattern.<TradingService.Command, TradingService.Parts>ask(service, TradingService.GetParts::new,
        Duration.ofSeconds(30), context.getSystem().scheduler()).thenCompose(parts -> account.spec.lifecycle().started(parts));
    context.pipeToSelf(resumed, (done, failure) -> new ResumedAfterStart(id, service, failure));
    return Effect().persist(new ServiceStarted(id, requestedBy, clock.instant()));
  }

  private Effect<Event, State> onBoot(State state, Boot boot) {
    AccountId id = boot.spec().account();
    Account account = new Account(boot.spec(), stateOf(ServiceState.STOPPED, null, clock.instant(), "engine", null));
    accounts.put(id, account);
    context.getLog().info("Service of account {} starting on {}", id, node);
    return starting(account, "engine");
  }

  private Effect<Event, State> onHandOver(State state, HandOver handOver) {
    handingOver = true;
    boolean running = accounts.values().stream().anyMatch(a -> a.state.service() != null);
    if (!running) return Effect().stop();
    for (Account account : accounts.values())
      if (account.state.state() == ServiceState.RUNNING) onStop(account.spec.account(), "hand-over", context.getSystem().ignoreRef());
      else if (account.state.state() == ServiceState.STARTING) context.stop(account.state.service());
    return Effect().none();
  }

  /** During a hand-over, once no service of the manager's runs: the manager stops after journaling {@code event}. */
  private Effect<Event, State> persistThenStopIfHandedOver(Event event) {
    boolean done = handingOver && accounts.values().stream().allMatch(a -> a.state.service() == null);
    return done ? Effect().persist(event).thenStop() : Effect().persist(event);
  }

  private Effect<Event, State> onResumedAfterStart(State state, ResumedAfterStart resumed) {
    Account account = accounts.get(resumed.account());
    if (account == null || account.state.service() != resumed.service() || account.state.state() != ServiceState.STARTING)
      return Effect().none();
    if (resumed.failure() != null) {
      String reason = "could not resume after the start: " + resumed.failure().getMessage();
      context.getLog().error("Service of account {} {}", resumed.account(), reason);
      context.stop(resumed.service());
      account.state = stateOf(ServiceState.FAILED, reason, clock.instant(), account.state.changedBy(), null);
      answerWaiting(account);
      return Effect().persist(new ServiceFailed(resumed.account(), reason, clock.instant()));
    }
    account.state = stateOf(ServiceState.RUNNING, null, clock.instant(), account.state.changedBy(), resumed.service());
    context.getLog().info("Service of account {} running", resumed.account());
    answerWaiting(account);
    return Effect().none();
  }

  private Effect<Event, State> onStop(AccountId id, String requestedBy, ActorRef<ControlAnswer> replyTo) {
    Account account = accounts.get(id);
    if (account == null) {
      replyTo.tell(new UnknownAccount(id, List.copyOf(accounts.keySet())));
      return Effect().none();
    }
    if (account.state.state() != ServiceState.RUNNING) {
      replyTo.tell(new Conflict(id, account.state, "the service of account " + id + " is " + account.state.state()
          + "; only a RUNNING service can be stopped"));
      return Effect().none();
    }
    account.state = stateOf(ServiceState.STOPPING, null, clock.instant(), requestedBy, account.state.service());
    account.stopRequestedBy = requestedBy;
    account.drainAnswered = false;
    account.terminated = false;
    account.unanswered = null;
    account.waiting.add(replyTo);
    context.getLog().info("Service of account {} stopping, asked by {}", id, requestedBy);
    CompletionStage<Done> fed;
    try {
      fed = account.spec.lifecycle().stopping();
    } catch (RuntimeException e) {
      fed = CompletableFuture.failedFuture(e);
    }
    context.pipeToSelf(fed, (done, failure) -> new FeedStopped(id, failure));
    return Effect().none();
  }

  private Effect<Event, State> onFeedStopped(State state, FeedStopped stopped) {
    Account account = accounts.get(stopped.account());
    if (account == null || account.state.state() != ServiceState.STOPPING) return Effect().none();
    if (stopped.failure() != null)
      context.getLog().warn("What feeds the service of account {} did not stop cleanly ({}); stopping the service anyway", stopped.account(),
          stopped.failure().toString());
    ActorRef<TradingService.Command> service = account.state.service();
    context.pipeToSelf(AskPattern.<TradingService.Command, TradingService.Stopped>ask(service,
            replyTo -> new TradingService.Stop(drainTimeout, replyTo), drainTimeout.plusSeconds(10), context.getSystem().scheduler()),
        (done, failure) -> new ServiceDrained(stopped.account(), done, failure));
    return Effect().none();
  }

  private Effect<Event, State> onDrained(State state, ServiceDrained drained) {
    Account account = accounts.get(drained.account());
    if (account == null || account.state.state() != ServiceState.STOPPING) return Effect().none();
    account.drainAnswered = true;
    if (drained.failure() != null) {
      context.getLog().warn("The service of account {} did not answer its stop ({}); stopping it now", drained.account(),
          drained.failure().toString());
      context.stop(account.state.service());
    } else {
      account.unanswered = drained.stopped().unanswered();
    }
    return account.terminated ? stopped(account) : Effect().none();
  }

  /** Both the service's answer to its stop and its end have come: the account is STOPPED. */
  private Effect<Event, State> stopped(Account account) {
    Instant now = clock.instant();
    String by = account.stopRequestedBy;
    AccountId id = account.spec.account();
    account.state = stateOf(ServiceState.STOPPED, "stopped by " + by, now, by, null);
    context.getLog().info("Service of account {} stopped, asked by {}", id, by);
    answerWaiting(account);
    return persistThenStopIfHandedOver(new ServiceStopped(id, by, account.unanswered, now));
  }

  private Effect<Event, State> onTerminated(State state, ServiceTerminated terminated) {
    Account account = accounts.get(terminated.account());
    if (account == null || account.state.service() != terminated.service()) return Effect().none();
    Instant now = clock.instant();
    if (account.state.state() == ServiceState.STOPPING) {
      account.terminated = true;
      return account.drainAnswered ? stopped(account) : Effect().none();
    }
    if (handingOver) { // a service still starting when the hand-over came: stopped by it
      account.state = stateOf(ServiceState.STOPPED, "stopped by hand-over", now, "hand-over", null);
      answerWaiting(account);
      return persistThenStopIfHandedOver(new ServiceStopped(terminated.account(), "hand-over", null, now));
    }
    String reason = "the trading service stopped unexpectedly (see the log for its failure)";
    context.getLog().error("Service of account {}: {}", terminated.account(), reason);
    account.state = stateOf(ServiceState.FAILED, reason, now, account.state.changedBy(), null);
    answerWaiting(account);
    return Effect().persist(new ServiceFailed(terminated.account(), reason, now));
  }

  private void answerWaiting(Account account) {
    AccountId id = account.spec.account();
    for (ActorRef<ControlAnswer> waiter : account.waiting) waiter.tell(new Changed(id, account.state));
    account.waiting.clear();
  }

  private ActorRef<TradingService.Command> spawn(ServiceSpec spec) {
    ActorRef<TradingService.Command> ref = context.spawnAnonymous(
        TradingService.create(spec.account(), spec.broker(), spec.credentials(), settings, spec.live(), spec.day(), spec.risk()));
    context.watchWith(ref, new ServiceTerminated(spec.account(), ref));
    return ref;
  }

  /** The accounts of {@code services}, sorted. */
  public static List<AccountId> accounts(Map<AccountId, ActorRef<TradingService.Command>> services) {
    return services.keySet().stream().sorted().toList();
  }
}
