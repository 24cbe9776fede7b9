package dev.ordo.app.audit;

import dev.ordo.engine.expert.Expert;
import dev.ordo.engine.risk.AccountRisk;
import dev.ordo.engine.schedule.TaskScheduler;
import dev.ordo.engine.service.ServiceManager;

import dev.ordo.broker.paper.PaperVenue;
import dev.ordo.engine.broker.Reconciler;
import dev.ordo.engine.marketdata.ReplayRun;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.strategy.Strategy;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;

/**
 * One event-sourced entity as the audit names it: its type ({@code symbol-trader}, ...) and its id
 * as the HTTP API shows it ({@code paper:TCS-EQ.NSE} for per-instrument entities, the account
 * {@code paper} for per-account ones), mapped both ways to its persistence id
 * ({@code SymbolTrader|paper:TCS-EQ.NSE}). Folds its events with the entity's own event handler.
 *
 * @param type the entity type
 * @param id   the entity id
 */
public record AuditedEntity(Type type, String id) {

  /** The event-sourced entity types of Ordo, by audit name and persistence-id prefix. */
  public enum Type {
    /** {@link SymbolTrader}, id {@code account:SYMBOL.VENUE}. */
    SYMBOL_TRADER("symbol-trader", "SymbolTrader", true),
    /** {@link Position}, id {@code account:SYMBOL.VENUE}. */
    POSITION("position", "Position", true),
    /** {@link PaperVenue}, id the account. */
    PAPER_VENUE("paper-venue", "PaperVenue", false),
    /** {@link ReplayRun}, id the account. */
    REPLAY_RUN("replay-run", "ReplayRun", false),
    /** {@link Reconciler}, id the account. */
    RECONCILER("reconciler", "Reconciler", false),
    /** {@link TaskScheduler}, id the account: the runs of its trading day's tasks. */
    TASK_SCHEDULER("task-scheduler", "TaskScheduler", false),
    /** {@link ServiceManager}, id {@code engine} (a replay: every paper account's) or the account (a live account's, run once in the cluster): starts, stops, hand-overs. */
    SERVICE_MANAGER("service-manager", "ServiceManager", false),
    /** {@link Expert}, id the expert's ({@code breakout}): its settings, recommendations and transactions. */
    EXPERT("expert", "Expert", false),
    /** {@link AccountRisk}, id the account: its fills as the risk checks saw them, each refused order, every halt and resume. */
    ACCOUNT_RISK("account-risk", "AccountRisk", false);

    private final String auditName;
    private final String persistencePrefix;
    private final boolean perInstrument;

    Type(String auditName, String persistencePrefix, boolean perInstrument) {
      this.auditName = auditName;
      this.persistencePrefix = persistencePrefix;
      this.perInstrument = perInstrument;
    }

    /** The name in the audit's commands and URLs, e.g. {@code symbol-trader}. */
    public String auditName() {
      return auditName;
    }

    /** The form of this type's entity ids, for error messages. */
    public String idForm() {
      if (this == SERVICE_MANAGER) return ServiceManager.ENGINE_ID + " (a replay's) or an account (a live account's), e.g. neo1";
      if (this == EXPERT) return "an expert id, e.g. breakout";
      return perInstrument ? "account:SYMBOL.VENUE, e.g. paper:TCS-EQ.NSE" : "an account, e.g. paper";
    }

    /** The type named {@code name} ({@code symbol-trader}, ...), if any. */
    public static Optional<Type> named(String name) {
      return Arrays.stream(values()).filter(t -> t.auditName.equals(name)).findFirst();
    }

    /** The audit names of all types, for error messages. */
    public static String names() {
      return String.join(", ", Arrays.stream(values()).map(Type::auditName).toList());
    }
  }

  /**
   * The entity of type {@code type} and id {@code id}.
   *
   * @throws IllegalArgumentException when {@code id} is not of the type's form ({@link Type#idForm()})
   */
  public static AuditedEntity of(Type type, String id) {
    if (type.perInstrument) {
      int colon = id.indexOf(':');
      if (colon <= 0 || id.contains("|")) throw new IllegalArgumentException(type.auditName + " id must be " + type.idForm() + ", got '" + id + "'");
      AccountId.of(id.substring(0, colon));
      InstrumentId.parse(id.substring(colon + 1));
    } else if (type == Type.EXPERT ? !dev.ordo.engine.trading.OrderSources.EXPERT_ID.matcher(id).matches()
        : id.isEmpty() || id.contains(":") || id.contains("|")) {
      throw new IllegalArgumentException(type.auditName + " id must be " + type.idForm() + ", got '" + id + "'");
    }
    return new AuditedEntity(type, id);
  }

  /** The entity whose persistence id is {@code persistenceId}, or empty for a journal Ordo does not know. */
  public static Optional<AuditedEntity> ofPersistenceId(String persistenceId) {
    int bar = persistenceId.indexOf('|');
    if (bar <= 0) return Optional.empty();
    String prefix = persistenceId.substring(0, bar);
    for (Type type : Type.values()) {
      if (!type.persistencePrefix.equals(prefix)) continue;
      try {
        return Optional.of(of(type, persistenceId.substring(bar + 1)));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** The persistence id, e.g. {@code SymbolTrader|paper:TCS-EQ.NSE}. */
  public String persistenceId() {
    return type.persistencePrefix + "|" + id;
  }

  /**
   * The account of the entity; null for the replay's service manager ({@code engine}), whose journal holds every account's, and
   * for an expert, whose account is in its settings (an account's token sees neither). A live account's manager is its own.
   */
  public AccountId account() {
    if (type == Type.SERVICE_MANAGER && id.equals(ServiceManager.ENGINE_ID) || type == Type.EXPERT) return null;
    return AccountId.of(type.perInstrument ? id.substring(0, id.indexOf(':')) : id);
  }

  /** The instrument of a per-instrument entity, null for a per-account one. */
  public InstrumentId instrument() {
    return type.perInstrument ? InstrumentId.parse(id.substring(id.indexOf(':') + 1)) : null;
  }

  /**
   * The zone its times are shown in: the venue's offset for an instrument of NSE or BSE
   * ({@code +05:30}), UTC otherwise.
   */
  public ZoneId zone() {
    InstrumentId instrument = instrument();
    if (instrument != null && (instrument.venue().equals("NSE") || instrument.venue().equals("BSE"))) return ZoneId.of("Asia/Kolkata");
    return ZoneOffset.UTC;
  }

  /** The entity's state before its first event. {@code strategies} gives a symbol trader its instrument's strategy. */
  public Object initialState(Function<InstrumentId, Strategy> strategies) {
    return switch (type) {
      case SYMBOL_TRADER -> SymbolTrader.initialState(instrument(), strategies.apply(instrument()));
      case POSITION -> Position.initialState(account(), instrument());
      case PAPER_VENUE -> PaperVenue.initialState();
      case REPLAY_RUN -> ReplayRun.initialState(account());
      case RECONCILER -> Reconciler.initialState();
      case TASK_SCHEDULER -> TaskScheduler.initialState();
      case SERVICE_MANAGER -> ServiceManager.initialState();
      case EXPERT -> Expert.initialState(id);
      case ACCOUNT_RISK -> AccountRisk.initialState(account());
    };
  }

  /**
   * {@code state} after {@code event}, by the entity's own event handler (the one it recovers with).
   *
   * @throws IllegalArgumentException when {@code event} is not one of this entity type's events
   */
  public Object apply(Function<InstrumentId, Strategy> strategies, Object state, Object event) {
    try {
      return switch (type) {
        case SYMBOL_TRADER -> SymbolTrader.applyEvent(strategies.apply(instrument()), (SymbolTrader.State) state, (SymbolTrader.Event) event);
        case POSITION -> Position.applyEvent((Position.State) state, (Position.Event) event);
        case PAPER_VENUE -> PaperVenue.applyEvent((PaperVenue.State) state, (PaperVenue.Event) event);
        case REPLAY_RUN -> ReplayRun.applyEvent((ReplayRun.State) state, (ReplayRun.Event) event);
        case RECONCILER -> Reconciler.applyEvent((Reconciler.State) state, (Reconciler.Event) event);
        case TASK_SCHEDULER -> TaskScheduler.applyEvent((TaskScheduler.State) state, (TaskScheduler.Event) event);
        case SERVICE_MANAGER -> ServiceManager.applyEvent((ServiceManager.State) state, (ServiceManager.Event) event);
        case EXPERT -> Expert.applyEvent((Expert.State) state, (Expert.Event) event);
        case ACCOUNT_RISK -> AccountRisk.applyEvent((AccountRisk.State) state, (AccountRisk.Event) event);
      };
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(event.getClass().getName() + " is not an event of a " + type.auditName, e);
    }
  }

  @Override
  public String toString() {
    return type.auditName + " " + id;
  }
}
