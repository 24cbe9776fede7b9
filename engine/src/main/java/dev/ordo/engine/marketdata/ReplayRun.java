package dev.ordo.engine.marketdata;

import dev.ordo.engine.JournalFailures;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * What the replay run of one account is over: its {@link Manifest} (instruments, sessions, a
 * fingerprint of the bar files, strategy parameters), journaled at the first start and checked
 * at every later start before the replay begins. A start over other data or parameters is
 * refused (nothing journaled), unless it asks to continue over them: then that choice is
 * journaled and the new manifest is the run's from there on. Sharded by account id, one per
 * account: persistence id {@code ReplayRun|paper}.
 */
public final class ReplayRun extends EventSourcedBehaviorWithEnforcedReplies<ReplayRun.Command, ReplayRun.Event, ReplayRun.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "ReplayRun");

  /** Registers the entity type with Cluster Sharding; {@code clock} stamps {@code tsEvent} (wall-clock time of the start). */
  public static void init(ActorSystem<?> system, Clock clock) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, entityContext -> create(entityContext.getEntityId(), clock)));
  }

  /** The sharding entity id of {@code account}'s run: the account id. */
  public static String entityId(AccountId account) {
    return account.value();
  }

  /** Creates the behavior of the run of account {@code entityId}. */
  public static Behavior<Command> create(String entityId, Clock clock) {
    return new ReplayRun(AccountId.of(entityId), clock);
  }

  /**
   * What a replay run is over.
   *
   * @param instruments        the instruments of the bar files, sorted
   * @param from               first session replayed (local date of the first bar in range)
   * @param to                 last session replayed (local date of the last bar in range)
   * @param filesFingerprint   SHA-256 (hex) over every bar file's name and content
   * @param files              SHA-256 (hex) of each bar file's content, by file name
   * @param strategyParameters the strategy's parameters by name ({@code capital-per-trade} to {@code 100000}, ...)
   */
  public record Manifest(List<InstrumentId> instruments, LocalDate from, LocalDate to, String filesFingerprint,
      SortedMap<String, String> files, SortedMap<String, String> strategyParameters) {

    public Manifest {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(filesFingerprint, "filesFingerprint");
      instruments = List.copyOf(new TreeSet<>(instruments));
      files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
      strategyParameters = Collections.unmodifiableSortedMap(new TreeMap<>(strategyParameters));
    }

    /**
     * What differs from {@code recorded} to this manifest, one phrase per difference (empty when
     * none), e.g. {@code bar files: TCS.csv changed, INFY.csv added} or
     * {@code sessions: 2024-01-12..2024-02-02 recorded, 2024-01-12..2024-01-31 now}.
     */
    public List<String> differencesFrom(Manifest recorded) {
      List<String> differences = new ArrayList<>();
      if (!instruments.equals(recorded.instruments())) {
        List<String> change = new ArrayList<>();
        List<InstrumentId> added = instruments.stream().filter(i -> !recorded.instruments().contains(i)).toList();
        List<InstrumentId> removed = recorded.instruments().stream().filter(i -> !instruments.contains(i)).toList();
        if (!added.isEmpty()) change.add("added " + join(added));
        if (!removed.isEmpty()) change.add("removed " + join(removed));
        differences.add("instruments: " + String.join(", ", change));
      }
      if (!from.equals(recorded.from()) || !to.equals(recorded.to()))
        differences.add("sessions: " + recorded.from() + ".." + recorded.to() + " recorded, " + from + ".." + to + " now");
      if (!filesFingerprint.equals(recorded.filesFingerprint()) || !files.equals(recorded.files())) {
        List<String> change = new ArrayList<>();
        for (Map.Entry<String, String> file : files.entrySet()) {
          String before = recorded.files().get(file.getKey());
          if (before == null) change.add(file.getKey() + " added");
          else if (!before.equals(file.getValue())) change.add(file.getKey() + " changed");
        }
        recorded.files().keySet().stream().filter(name -> !files.containsKey(name)).forEach(name -> change.add(name + " removed"));
        if (change.isEmpty()) change.add("fingerprint " + recorded.filesFingerprint() + " recorded, " + filesFingerprint + " now");
        differences.add("bar files: " + String.join(", ", change));
      }
      TreeSet<String> names = new TreeSet<>(strategyParameters.keySet());
      names.addAll(recorded.strategyParameters().keySet());
      for (String name : names) {
        String before = recorded.strategyParameters().get(name);
        String now = strategyParameters.get(name);
        if (!Objects.equals(before, now)) differences.add("strategy " + name + ": " + (before == null ? "none" : before) + " recorded, "
            + (now == null ? "none" : now) + " now");
      }
      return differences;
    }

    private static String join(List<InstrumentId> instruments) {
      return String.join(" ", instruments.stream().map(InstrumentId::toString).toList());
    }
  }

  /** Protocol of a replay run. */
  public sealed interface Command extends OrdoSerializable {}

  /**
   * Starts (first time) or resumes the run over {@code manifest}; answered with the outcome once
   * journaled. With {@code continueOverDifferentData} a manifest that differs from the recorded
   * one is accepted and the choice journaled; without it, refused.
   */
  public record Start(Manifest manifest, boolean continueOverDifferentData, ActorRef<StartOutcome> replyTo) implements Command {}

  /** Asks for the run's state. */
  public record GetRun(ActorRef<State> replyTo) implements Command {}

  /** The answer to {@link Start}. */
  public sealed interface StartOutcome extends OrdoSerializable {}

  /** The first start: the manifest is now the run's. */
  public record Started(Manifest manifest) implements StartOutcome {}

  /** A start over the run's own manifest: the run resumes. */
  public record Resumed(Manifest manifest) implements StartOutcome {}

  /** A start over another manifest, without the option to continue: refused, nothing journaled. */
  public record Refused(Manifest recorded, Manifest requested, List<String> differences) implements StartOutcome {

    public Refused {
      differences = List.copyOf(differences);
    }
  }

  /** A start over another manifest, with the option to continue: journaled, the run goes on over {@code manifest}. */
  public record Continued(Manifest previous, Manifest manifest, List<String> differences) implements StartOutcome {

    public Continued {
      differences = List.copyOf(differences);
    }
  }

  /** Journaled facts of a replay run. */
  public sealed interface Event extends OrdoSerializable {
    /** The run's account (the entity id). */
    AccountId account();
  }

  /** The run's first start, over {@code manifest}. */
  public record RunStarted(AccountId account, Manifest manifest, Instant tsEvent) implements Event {}

  /** A start over other data or parameters than {@code previous}, continued as asked; the run is over {@code manifest} from now on. */
  public record RunContinuedOverDifferentData(AccountId account, Manifest previous, Manifest manifest, List<String> differences, Instant tsEvent)
      implements Event {

    public RunContinuedOverDifferentData {
      differences = List.copyOf(differences);
    }
  }

  /**
   * A replay run.
   *
   * @param manifest      what the run is over now; null before its first start
   * @param startedAt     when it first started; null before
   * @param continuations how many times it was continued over different data
   */
  public record State(AccountId account, Manifest manifest, Instant startedAt, int continuations) implements OrdoSerializable {

    State started(Manifest first, Instant at) {
      return new State(account, first, at, continuations);
    }

    State continued(Manifest next) {
      return new State(account, next, startedAt, continuations + 1);
    }
  }

  private final AccountId account;
  private final Clock clock;

  private ReplayRun(AccountId account, Clock clock) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), entityId(account)), JournalFailures.BACKOFF);
    this.account = account;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return initialState(account);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Start.class, this::onStart)
        .onCommand(GetRun.class, (state, command) -> Effect().reply(command.replyTo(), state))
        .build();
  }

  private ReplyEffect<Event, State> onStart(State state, Start command) {
    Manifest requested = command.manifest();
    if (state.manifest() == null)
      return Effect().persist(new RunStarted(account, requested, clock.instant())).thenReply(command.replyTo(), next -> new Started(requested));
    List<String> differences = requested.differencesFrom(state.manifest());
    if (differences.isEmpty()) return Effect().reply(command.replyTo(), new Resumed(requested));
    if (!command.continueOverDifferentData())
      return Effect().reply(command.replyTo(), new Refused(state.manifest(), requested, differences));
    Manifest previous = state.manifest();
    return Effect().persist(new RunContinuedOverDifferentData(account, previous, requested, differences, clock.instant()))
        .thenReply(command.replyTo(), next -> new Continued(previous, requested, differences));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(ReplayRun::applyEvent);
  }

  /** The run of {@code account} before its first start: what {@link #applyEvent} folds from. */
  public static State initialState(AccountId account) {
    return new State(account, null, null, 0);
  }

  /**
   * The run's event handler: {@code state} after {@code event}, as recovery and the audit fold it.
   *
   * @throws IllegalArgumentException for an event that is not a replay run's
   */
  public static State applyEvent(State state, Event event) {
    if (event instanceof RunStarted e) return state.started(e.manifest(), e.tsEvent());
    if (event instanceof RunContinuedOverDifferentData e) return state.continued(e.manifest());
    throw new IllegalArgumentException("not a replay run's event: " + event);
  }
}
