package dev.ordo.engine.expert;

import dev.ordo.engine.JournalFailures;
import dev.ordo.engine.LogMdc;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.broker.GatewayLink;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.AppliedTradeIds;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.strategy.OrderRole;
import dev.ordo.engine.trading.OrderSources;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * An expert: a strategy instance that turns analysts' {@link Recommendation}s into
 * {@link Transaction}s, one sharded, event-sourced entity per expert id. A BUY opens a transaction
 * for (expert, instrument) unless its own state says one is already WAITING or OPENED there
 * ({@code OPEN_TRANSACTION}): the decision is made in the expert's mailbox, one recommendation at a
 * time, so the duplicates a try-lock and a {@code SELECT} before each order were meant to prevent are
 * impossible by construction. A transaction moves {@code WAITING → OPENED → CLOSING → CLOSED}, or
 * {@code FAILED}, driven by the broker's answers and the fills of the orders it sends through the
 * account's {@link BrokerGateway} (CRITICAL): the entry (a market buy), then its stop-loss (stop
 * market sell) and take-profit (limit sell) once the entry filled; when one of them fills the other
 * is canceled. A SELL closes the open transaction: its working orders are canceled and what it holds
 * is sold at market. Fills reach the expert through the order-update router (by the ClientOrderId,
 * {@link OrderSources}), each applied once per {@link TradeId}; the account's {@code Position} gets
 * them too. What the broker did without telling (an order expired at the day's end, canceled, refused,
 * or a placement whose answer was lost) reaches it from the reconciler's reading of the order book
 * ({@link ReconcileOrder}).
 */
public final class Expert extends EventSourcedBehaviorWithEnforcedReplies<Expert.Command, Expert.Event, Expert.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Expert");

  /** Closed transactions kept in the state; older ones stay in the journal. */
  static final int CLOSED_TRANSACTIONS_KEPT = 100;

  /**
   * Registers the entity type with Cluster Sharding; an expert's events are stamped by the clock of its
   * account ({@code clocks}: the account's replay clock in a replay), or {@code fallback} before it has one.
   */
  public static void init(ActorSystem<?> system, java.util.function.Function<AccountId, Clock> clocks, Clock fallback) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, entityContext -> LogMdc.ofEntity(Command.class, ENTITY_TYPE_KEY.name(),
        entityContext.getEntityId(), create(entityContext.getEntityId(), clocks, fallback))));
  }

  /** The expert {@code expertId} with one clock. */
  public static Behavior<Command> create(String expertId, Clock clock) {
    return create(expertId, account -> clock, clock);
  }

  /**
   * The expert {@code expertId}.
   *
   * @throws IllegalArgumentException when {@code expertId} is not an expert id ({@link OrderSources#EXPERT_ID})
   */
  public static Behavior<Command> create(String expertId, java.util.function.Function<AccountId, Clock> clocks, Clock fallback) {
    OrderSources.requireExpertId(expertId);
    return Behaviors.setup(context -> new Expert(context, expertId, clocks, fallback));
  }

  // ---------------------------------------------------------------- commands

  /** Protocol of an expert. */
  public sealed interface Command extends OrdoSerializable {}

  /** Creates or changes the expert's settings, asked by {@code requestedBy}; answered with its state. */
  public record Configure(Settings settings, String requestedBy, ActorRef<State> replyTo) implements Command {}

  /** Asks for the expert's state (null settings: not configured). */
  public record GetState(ActorRef<State> replyTo) implements Command {}

  /**
   * A batch of recommendations; answered with one {@link Outcome} per recommendation, in order, once the
   * entry of every accepted BUY has the broker's (or the risk checks') answer.
   *
   * @param tradable    the instruments the account trades (a recommendation for another is {@code UNKNOWN_INSTRUMENT})
   * @param lastPrices  the last price known per instrument, to size a BUY without a quantity
   * @param accountHalted the account's trading state: new entries are {@code ACCOUNT_HALTED} while it is halted
   */
  public record Recommend(List<Recommendation> recommendations, Set<InstrumentId> tradable, Map<InstrumentId, Price> lastPrices,
      boolean accountHalted, ActorRef<Outcomes> replyTo) implements Command {}

  /**
   * The market-open exits ({@code market-open-exits}, at the open): every OPENED transaction held overnight
   * (opened before {@code today} in {@code zone}) with an exit plan (a take-profit) is closed: its working
   * orders canceled, what it holds sold at market. A transaction whose sale already completed at the broker
   * is CLOSED by that sale's fill (the task reconciles first when the account has experts), so it is never sold twice. Answered with the
   * transactions sent to close.
   */
  public record ExitOvernight(java.time.LocalDate today, java.time.ZoneId zone, ActorRef<OvernightExits> replyTo) implements Command {}

  /** Answer to {@link ExitOvernight}: the transactions it started closing. */
  public record OvernightExits(String expertId, List<String> closing) implements OrdoSerializable {}

  /** A fill of one of the expert's orders (from the order-update router); answered when applied or known. */
  public record ApplyFill(Fill fill, ActorRef<Done> replyTo) implements Command {}

  /**
   * What reconciliation found of one of the expert's orders in the broker's order book (by the
   * ClientOrderId in its tag): {@code report} is its row, or null when a placement of unknown outcome
   * (SUBMITTED, not answered) was missing from two consecutive books. The expert journals the broker's
   * ending: EXPIRED → {@link OrderExpired}, CANCELED → {@link OrderCanceled}, REJECTED →
   * {@link OrderRejected}; a SUBMITTED order found at the broker gets its venue id ({@link OrderAccepted});
   * one missing twice was never placed ({@link OrderRejected}), unless its placement is still waiting
   * for the broker's answer in this incarnation. Fills never come from here (the trade book delivers
   * them, each applied once by TradeId). Answered when journaled.
   */
  public record ReconcileOrder(ClientOrderId clientOrderId, OrderReport report, ActorRef<Done> replyTo) implements Command {}

  private record BrokerReplied(BrokerCall.Reply reply) implements Command {}

  private record GatewayListed(Receptionist.Listing listing) implements Command, NoSerializationVerificationNeeded {}

  /** What an analyst recommends. */
  public enum Action {
    BUY,
    SELL,
    HOLD
  }

  /**
   * One recommendation.
   *
   * @param confidence 0..1
   * @param stopLoss   price of the protective stop (instrument currency), or null
   * @param takeProfit price of the profit target, or null
   * @param quantity   instrument units to buy, or null for {@code floor(allocationPerTrade / last price)}
   */
  public record Recommendation(InstrumentId instrument, Action action, BigDecimal confidence, Price stopLoss, Price takeProfit,
      Quantity quantity) implements OrdoSerializable {}

  /** Why a recommendation changed nothing. */
  public enum SkipReason {
    OPEN_TRANSACTION,
    EXPERT_DISABLED,
    MAX_OPEN_TRANSACTIONS,
    INSTRUMENT_NOT_ALLOWED,
    UNKNOWN_INSTRUMENT,
    LOW_CONFIDENCE,
    ACCOUNT_HALTED,
    /** The order was refused by a pre-trade risk check; {@link Outcome#detail()} names it ({@code RISK_MAX_ORDER_NOTIONAL}, ...). */
    RISK,
    /** A BUY without a quantity and no last price to size it. */
    NO_PRICE,
    /** A SELL without an open transaction. */
    NO_OPEN_TRANSACTION,
    /** HOLD changes nothing. */
    HOLD,
    /** The broker refused the entry. */
    REJECTED
  }

  /**
   * What became of one recommendation.
   *
   * @param transactionId the transaction opened or closed, else null
   * @param skipped       null when accepted
   * @param detail        the broker's or the risk check's words, else null
   */
  public record Outcome(InstrumentId instrument, Action action, String transactionId, SkipReason skipped, String detail)
      implements OrdoSerializable {
    public boolean accepted() {
      return skipped == null;
    }
  }

  /** The answer to {@link Recommend}. */
  public record Outcomes(String expertId, List<Outcome> outcomes) implements OrdoSerializable {}

  // ---------------------------------------------------------------- events

  /** Journaled facts of an expert. */
  public sealed interface Event extends OrdoSerializable {}

  public record ExpertConfigured(String expertId, Settings settings, String requestedBy, Instant tsEvent) implements Event {}

  public record RecommendationSkipped(String expertId, InstrumentId instrument, Action action, SkipReason reason, String detail,
      Instant tsEvent) implements Event {}

  /** A BUY opened transaction {@code transactionId}; its entry {@code entryOrder} is sent next. */
  public record TransactionOpened(String expertId, String transactionId, InstrumentId instrument, Quantity quantity, Price stopLoss,
      Price takeProfit, BigDecimal confidence, ClientOrderId entryOrder, Instant tsEvent) implements Event {}

  /** An order of a transaction, journaled before it is sent. */
  public record OrderSubmitted(String expertId, String transactionId, ClientOrderId clientOrderId, OrderRole role, OrderSide side,
      OrderType type, Quantity quantity, Price trigger, Price limit, Instant tsEvent) implements Event {}

  public record OrderAccepted(String expertId, ClientOrderId clientOrderId, VenueOrderId venueOrderId, Instant tsEvent) implements Event {}

  public record OrderRejected(String expertId, ClientOrderId clientOrderId, String reason, Instant tsEvent) implements Event {}

  public record OrderCancelRequested(String expertId, ClientOrderId clientOrderId, Instant tsEvent) implements Event {}

  public record OrderCanceled(String expertId, ClientOrderId clientOrderId, Instant tsEvent) implements Event {}

  /** The broker ended the order at the end of its trading day (a DAY order), as reconciliation found it. */
  public record OrderExpired(String expertId, ClientOrderId clientOrderId, Instant tsEvent) implements Event {}

  public record FillApplied(String expertId, Fill fill, Instant tsEvent) implements Event {}

  /** A SELL asked to close the transaction. */
  public record CloseRequested(String expertId, String transactionId, String reason, Instant tsEvent) implements Event {}

  // ---------------------------------------------------------------- state

  /**
   * The expert's settings.
   *
   * @param account             the account it trades in
   * @param maxOpenTransactions WAITING, OPENED or CLOSING transactions at most
   * @param allocationPerTrade  what a BUY without a quantity spends, in the account's currency
   * @param minConfidence       recommendations below it are skipped ({@code LOW_CONFIDENCE})
   * @param instruments         the instruments it may trade; empty: all the account trades
   */
  public record Settings(AccountId account, boolean enabled, int maxOpenTransactions, BigDecimal allocationPerTrade, BigDecimal minConfidence,
      Set<InstrumentId> instruments) implements OrdoSerializable {
    public Settings {
      Objects.requireNonNull(account, "account");
      if (maxOpenTransactions < 1) throw new IllegalArgumentException("maxOpenTransactions must be at least 1, got " + maxOpenTransactions);
      if (allocationPerTrade == null || allocationPerTrade.signum() <= 0)
        throw new IllegalArgumentException("allocationPerTrade must be a positive amount, got " + allocationPerTrade);
      if (minConfidence == null || minConfidence.signum() < 0 || minConfidence.compareTo(BigDecimal.ONE) > 0)
        throw new IllegalArgumentException("minConfidence must be within 0..1, got " + minConfidence);
      instruments = java.util.Collections.unmodifiableSortedSet(instruments == null ? new TreeSet<>() : new TreeSet<>(instruments));
    }
  }

  /** A transaction's status. */
  public enum TransactionStatus {
    WAITING,
    OPENED,
    CLOSING,
    CLOSED,
    FAILED;

    /** WAITING, OPENED or CLOSING: it holds, or may come to hold, a position. */
    public boolean isOpen() {
      return this == WAITING || this == OPENED || this == CLOSING;
    }
  }

  /**
   * One of the expert's orders.
   *
   * @param venueOrderId null until the broker accepted it
   * @param filled       quantity filled so far
   */
  public record ExpertOrder(ClientOrderId clientOrderId, String transactionId, OrderRole role, OrderSide side, OrderType type,
      Quantity quantity, Price trigger, Price limit, OrderStatus status, VenueOrderId venueOrderId, Quantity filled, boolean cancelRequested,
      String lastError) implements OrdoSerializable {

    ExpertOrder with(OrderStatus next, VenueOrderId id, Quantity nowFilled, boolean cancel, String error) {
      return new ExpertOrder(clientOrderId, transactionId, role, side, type, quantity, trigger, limit, next, id, nowFilled, cancel, error);
    }

    /** Not closed: it may still fill. */
    public boolean isWorking() {
      return !status.isClosed();
    }
  }

  /**
   * A transaction: one position of the expert in one instrument, from its entry to its exit.
   *
   * @param quantity      the entry's quantity (instrument units)
   * @param held          quantity bought and not sold yet
   * @param entryCost     price × quantity of the entry's fills (instrument currency)
   * @param exitProceeds  price × quantity of the sales
   * @param orders        its orders' ClientOrderIds, in the order they were sent
   * @param closedAt      null while open
   * @param reason        why it closed or failed, else null
   */
  public record Transaction(String id, InstrumentId instrument, TransactionStatus status, Quantity quantity, Quantity held, Price stopLoss,
      Price takeProfit, BigDecimal confidence, BigDecimal entryCost, Quantity entryFilled, BigDecimal exitProceeds, Quantity exitFilled,
      List<ClientOrderId> orders, Instant openedAt, Instant closedAt, String reason) implements OrdoSerializable {

    public Transaction {
      orders = List.copyOf(orders);
    }

    Transaction with(TransactionStatus next, String why, Instant at) {
      return new Transaction(id, instrument, next, quantity, held, stopLoss, takeProfit, confidence, entryCost, entryFilled, exitProceeds,
          exitFilled, orders, openedAt, next.isOpen() ? closedAt : at, why != null ? why : reason);
    }

    Transaction withOrder(ClientOrderId order) {
      List<ClientOrderId> all = new ArrayList<>(orders);
      all.add(order);
      return new Transaction(id, instrument, status, quantity, held, stopLoss, takeProfit, confidence, entryCost, entryFilled, exitProceeds,
          exitFilled, all, openedAt, closedAt, reason);
    }

    Transaction filled(OrderSide side, Quantity qty, Price price) {
      BigDecimal amount = price.value().multiply(qty.value());
      if (side == OrderSide.BUY)
        return new Transaction(id, instrument, status, quantity, held.plus(qty), stopLoss, takeProfit, confidence, entryCost.add(amount),
            entryFilled.plus(qty), exitProceeds, exitFilled, orders, openedAt, closedAt, reason);
      return new Transaction(id, instrument, status, quantity, held.minus(qty), stopLoss, takeProfit, confidence, entryCost, entryFilled,
          exitProceeds.add(amount), exitFilled.plus(qty), orders, openedAt, closedAt, reason);
    }

    /** Average entry price, null before the first fill. */
    public Price entryPrice() {
      return entryFilled.value().signum() == 0 ? null : Price.of(entryCost.divide(entryFilled.value(), 8, RoundingMode.HALF_EVEN).stripTrailingZeros());
    }

    /** Average exit price, null before the first sale. */
    public Price exitPrice() {
      return exitFilled.value().signum() == 0 ? null : Price.of(exitProceeds.divide(exitFilled.value(), 8, RoundingMode.HALF_EVEN).stripTrailingZeros());
    }

    /** Realized P&amp;L of what was sold (instrument currency): proceeds less the average entry cost of the quantity sold. */
    public BigDecimal realizedPnl() {
      if (exitFilled.value().signum() == 0 || entryFilled.value().signum() == 0) return BigDecimal.ZERO;
      BigDecimal cost = entryCost.multiply(exitFilled.value()).divide(entryFilled.value(), 8, RoundingMode.HALF_EVEN);
      return exitProceeds.subtract(cost).stripTrailingZeros();
    }
  }

  /**
   * The expert's state.
   *
   * @param settings        null until configured
   * @param orderSequence   orders sent so far (source of ClientOrderIds)
   * @param transactionSequence transactions opened so far
   * @param transactions    open transactions and the last {@value #CLOSED_TRANSACTIONS_KEPT} closed, oldest first
   * @param orders          the orders of the transactions kept
   * @param appliedTradeIds the trade ids of the fills applied in the last {@link AppliedTradeIds#RETENTION} of fill time
   */
  public record State(String expertId, Settings settings, long orderSequence, long transactionSequence, List<Transaction> transactions,
      Map<ClientOrderId, ExpertOrder> orders, AppliedTradeIds appliedTradeIds) implements OrdoSerializable {

    public State {
      transactions = List.copyOf(transactions);
      orders = Map.copyOf(orders);
      appliedTradeIds = appliedTradeIds == null ? AppliedTradeIds.NONE : appliedTradeIds;
    }

    /** Whether it has been configured. */
    public boolean exists() {
      return settings != null;
    }

    /** The open transaction of {@code instrument}, or null. */
    public Transaction openTransaction(InstrumentId instrument) {
      for (Transaction t : transactions) if (t.instrument().equals(instrument) && t.status().isOpen()) return t;
      return null;
    }

    /** The transaction {@code id}, or null. */
    public Transaction transaction(String id) {
      for (Transaction t : transactions) if (t.id().equals(id)) return t;
      return null;
    }

    /** Transactions WAITING, OPENED or CLOSING. */
    public long openTransactions() {
      return transactions.stream().filter(t -> t.status().isOpen()).count();
    }

    State with(Transaction updated) {
      List<Transaction> next = new ArrayList<>();
      boolean replaced = false;
      for (Transaction t : transactions) {
        if (t.id().equals(updated.id())) {
          next.add(updated);
          replaced = true;
        } else {
          next.add(t);
        }
      }
      if (!replaced) next.add(updated);
      Map<ClientOrderId, ExpertOrder> keptOrders = orders;
      long closed = next.stream().filter(t -> !t.status().isOpen()).count();
      if (closed > CLOSED_TRANSACTIONS_KEPT) {
        Transaction oldest = next.stream().filter(t -> !t.status().isOpen()).findFirst().orElseThrow();
        next.remove(oldest);
        keptOrders = new HashMap<>(orders);
        for (ClientOrderId id : oldest.orders()) keptOrders.remove(id);
      }
      return new State(expertId, settings, orderSequence, transactionSequence, next, keptOrders, appliedTradeIds);
    }

    State with(ExpertOrder order) {
      Map<ClientOrderId, ExpertOrder> next = new HashMap<>(orders);
      next.put(order.clientOrderId(), order);
      return new State(expertId, settings, orderSequence, transactionSequence, transactions, next, appliedTradeIds);
    }
  }

  /** An expert that was never configured: what {@link #applyEvent} folds from. */
  public static State initialState(String expertId) {
    return new State(expertId, null, 0, 0, List.of(), Map.of(), AppliedTradeIds.NONE);
  }

  // ---------------------------------------------------------------- behavior

  private final ActorContext<Command> context;
  private final String expertId;
  private final java.util.function.Function<AccountId, Clock> clocks;
  private final Clock fallback;
  private final ActorRef<BrokerCall.Reply> brokerReplies;
  private GatewayLink gateway;
  private AccountId gatewayAccount;
  /** Placements sent in this incarnation and not answered yet (not journaled: a restart forgets them, as the broker's answer is lost). */
  private final Set<ClientOrderId> placing = new java.util.HashSet<>();
  /** Batches of recommendations waiting for their entries' answers, by entry ClientOrderId. */
  private final Map<ClientOrderId, PendingBatch> pending = new HashMap<>();

  /** Market-open exits waiting until each transaction they closed has its sale answered by the broker, or needs none. */
  private final List<PendingExits> pendingExits = new ArrayList<>();
  /** Sales (EXIT orders) the broker answered in this incarnation: placed, refused or unanswered (not journaled). */
  private final Set<ClientOrderId> exitsAnswered = new java.util.HashSet<>();

  /** An {@link ExitOvernight} answered once each of its transactions' sale has the broker's answer (or none is needed). */
  private static final class PendingExits {
    final Set<String> transactions;
    final OvernightExits answer;
    final ActorRef<OvernightExits> replyTo;

    PendingExits(Set<String> transactions, OvernightExits answer, ActorRef<OvernightExits> replyTo) {
      this.transactions = transactions;
      this.answer = answer;
      this.replyTo = replyTo;
    }
  }

  /** A {@link Recommend} answered once all of its entries have the broker's answer. */
  private static final class PendingBatch {
    final Outcome[] outcomes;
    final Map<ClientOrderId, Integer> entries = new LinkedHashMap<>();
    final ActorRef<Outcomes> replyTo;

    PendingBatch(int size, ActorRef<Outcomes> replyTo) {
      this.outcomes = new Outcome[size];
      this.replyTo = replyTo;
    }
  }

  private Expert(ActorContext<Command> context, String expertId, java.util.function.Function<AccountId, Clock> clocks, Clock fallback) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), expertId), JournalFailures.BACKOFF);
    this.context = context;
    this.expertId = expertId;
    this.clocks = clocks;
    this.fallback = fallback;
    this.brokerReplies = context.messageAdapter(BrokerCall.Reply.class, BrokerReplied::new);
  }

  @Override
  public State emptyState() {
    return initialState(expertId);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Configure.class, this::onConfigure)
        .onCommand(GetState.class, (state, get) -> Effect().reply(get.replyTo(), state))
        .onCommand(Recommend.class, this::onRecommend)
        .onCommand(ApplyFill.class, this::onApplyFill)
        .onCommand(ExitOvernight.class, this::onExitOvernight)
        .onCommand(ReconcileOrder.class, this::onReconcileOrder)
        .onCommand(BrokerReplied.class, this::onBrokerReplied)
        .onCommand(GatewayListed.class, (state, listed) -> {
          if (gateway != null) gateway.onListing(listed.listing());
          return Effect().noReply();
        })
        .build();
  }

  /** The clock of the account of {@code settings} (its replay clock in a replay), or the fallback before the expert has one. */
  private Instant now(Settings settings) {
    Clock clock = settings == null ? null : clocks.apply(settings.account());
    return (clock != null ? clock : fallback).instant();
  }

  private ReplyEffect<Event, State> onConfigure(State state, Configure configure) {
    return Effect().persist(new ExpertConfigured(expertId, configure.settings(), configure.requestedBy(), now(configure.settings())))
        .thenReply(configure.replyTo(), next -> next);
  }

  private ReplyEffect<Event, State> onRecommend(State state, Recommend recommend) {
    if (!state.exists()) {
      List<Outcome> none = recommend.recommendations().stream()
          .map(r -> new Outcome(r.instrument(), r.action(), null, SkipReason.EXPERT_DISABLED, "expert " + expertId + " is not configured")).toList();
      return Effect().reply(recommend.replyTo(), new Outcomes(expertId, none));
    }
    Instant now = now(state.settings());
    List<Event> events = new ArrayList<>();
    PendingBatch batch = new PendingBatch(recommend.recommendations().size(), recommend.replyTo());
    State next = state;
    List<ClientOrderId> entries = new ArrayList<>();
    List<ClientOrderId> cancels = new ArrayList<>();
    for (int i = 0; i < recommend.recommendations().size(); i++) {
      Recommendation r = recommend.recommendations().get(i);
      Outcome outcome;
      SkipReason skip = skipReason(next, r, recommend);
      if (skip != null) {
        String detail = skip == SkipReason.OPEN_TRANSACTION ? next.openTransaction(r.instrument()).id() : null;
        outcome = new Outcome(r.instrument(), r.action(), skip == SkipReason.OPEN_TRANSACTION ? detail : null, skip, null);
        events.add(new RecommendationSkipped(expertId, r.instrument(), r.action(), skip, detail, now));
      } else if (r.action() == Action.BUY) {
        Quantity quantity = r.quantity() != null ? r.quantity() : sized(next.settings(), recommend.lastPrices().get(r.instrument()));
        String id = expertId + "-" + (next.transactionSequence() + 1);
        ClientOrderId entry = OrderSources.expertOrder(expertId, next.orderSequence() + 1);
        Event opened = new TransactionOpened(expertId, id, r.instrument(), quantity, r.stopLoss(), r.takeProfit(), r.confidence(), entry, now);
        events.add(opened);
        next = applyEvent(next, opened);
        entries.add(entry);
        batch.entries.put(entry, i);
        outcome = new Outcome(r.instrument(), r.action(), id, null, null);
      } else {
        Transaction open = next.openTransaction(r.instrument());
        List<Event> closing = closeEvents(next, open, "SELL recommended", now);
        for (Event e : closing) {
          if (e instanceof OrderCancelRequested c) cancels.add(c.clientOrderId());
          if (e instanceof OrderSubmitted s) entries.add(s.clientOrderId());
          next = applyEvent(next, e);
        }
        events.addAll(closing);
        outcome = new Outcome(r.instrument(), r.action(), open.id(), null, null);
      }
      batch.outcomes[i] = outcome;
    }
    if (batch.entries.isEmpty()) {
      Outcomes answer = new Outcomes(expertId, List.of(batch.outcomes));
      return events.isEmpty() ? Effect().reply(recommend.replyTo(), answer)
          : Effect().persist(events).thenRun(s -> send(s, entries, cancels)).thenReply(recommend.replyTo(), s -> answer);
    }
    for (ClientOrderId entry : batch.entries.keySet()) pending.put(entry, batch);
    return Effect().persist(events).thenRun(s -> send(s, entries, cancels)).thenNoReply();
  }

  /** Why {@code r} changes nothing in {@code state}, or null when it is accepted. */
  private static SkipReason skipReason(State state, Recommendation r, Recommend recommend) {
    Settings settings = state.settings();
    if (r.action() == Action.HOLD) return SkipReason.HOLD;
    if (!settings.enabled()) return SkipReason.EXPERT_DISABLED;
    if (!recommend.tradable().contains(r.instrument())) return SkipReason.UNKNOWN_INSTRUMENT;
    if (!settings.instruments().isEmpty() && !settings.instruments().contains(r.instrument())) return SkipReason.INSTRUMENT_NOT_ALLOWED;
    if (r.action() == Action.SELL) {
      Transaction open = state.openTransaction(r.instrument());
      return open == null || open.status() == TransactionStatus.CLOSING ? SkipReason.NO_OPEN_TRANSACTION : null;
    }
    if (r.confidence() != null && r.confidence().compareTo(settings.minConfidence()) < 0) return SkipReason.LOW_CONFIDENCE;
    if (state.openTransaction(r.instrument()) != null) return SkipReason.OPEN_TRANSACTION;
    if (state.openTransactions() >= settings.maxOpenTransactions()) return SkipReason.MAX_OPEN_TRANSACTIONS;
    if (recommend.accountHalted()) return SkipReason.ACCOUNT_HALTED;
    if (r.quantity() == null && sized(settings, recommend.lastPrices().get(r.instrument())) == null) return SkipReason.NO_PRICE;
    return null;
  }

  /** {@code floor(allocationPerTrade / last)} units, null without a price or when it is 0. */
  private static Quantity sized(Settings settings, Price last) {
    if (last == null || last.value().signum() <= 0) return null;
    BigDecimal units = settings.allocationPerTrade().divide(last.value(), 0, RoundingMode.FLOOR);
    return units.signum() > 0 ? Quantity.of(units) : null;
  }

  /** The events that close {@code open}: its working orders canceled; what it holds sold at market once nothing else can fill. */
  private List<Event> closeEvents(State state, Transaction open, String reason, Instant now) {
    List<Event> events = new ArrayList<>();
    events.add(new CloseRequested(expertId, open.id(), reason, now));
    boolean working = false;
    for (ClientOrderId id : open.orders()) {
      ExpertOrder order = state.orders().get(id);
      if (order != null && order.isWorking()) {
        working = true;
        if (!order.cancelRequested()) events.add(new OrderCancelRequested(expertId, id, now));
      }
    }
    if (!working) events.addAll(exitOrSettle(applyAll(state, events), open.id(), now));
    return events;
  }

  /**
   * Once none of a CLOSING transaction's orders can fill: what it holds is sold at market, or, holding
   * nothing, it is CLOSED (nothing to journal: the status follows from the events).
   */
  private List<Event> exitOrSettle(State state, String transactionId, Instant now) {
    Transaction t = state.transaction(transactionId);
    if (t == null || t.status() != TransactionStatus.CLOSING || t.held().value().signum() <= 0) return List.of();
    for (ClientOrderId id : t.orders()) if (state.orders().get(id) != null && state.orders().get(id).isWorking()) return List.of();
    ClientOrderId exit = OrderSources.expertOrder(expertId, state.orderSequence() + 1);
    return List.of(new OrderSubmitted(expertId, t.id(), exit, OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, t.held(), null, null, now));
  }

  private State applyAll(State state, List<Event> events) {
    State next = state;
    for (Event e : events) next = applyEvent(next, e);
    return next;
  }

  private ReplyEffect<Event, State> onExitOvernight(State state, ExitOvernight exit) {
    Instant now = now(state.settings());
    List<Event> events = new ArrayList<>();
    List<String> closing = new ArrayList<>();
    State next = state;
    for (Transaction t : state.transactions()) {
      // a transaction whose sale completed (nothing held; its other exit still being canceled) holds nothing overnight to sell
      if (t.status() != TransactionStatus.OPENED || t.takeProfit() == null || t.held().value().signum() <= 0) continue;
      if (!t.openedAt().atZone(exit.zone()).toLocalDate().isBefore(exit.today())) continue;
      List<Event> close = closeEvents(next, t, "market-open exit of a position held overnight", now);
      next = applyAll(next, close);
      events.addAll(close);
      closing.add(t.id());
    }
    OvernightExits answer = new OvernightExits(expertId, List.copyOf(closing));
    if (events.isEmpty()) return Effect().reply(exit.replyTo(), answer);
    List<ClientOrderId> sends = new ArrayList<>();
    List<ClientOrderId> cancels = new ArrayList<>();
    for (Event e : events) {
      if (e instanceof OrderSubmitted s) sends.add(s.clientOrderId());
      if (e instanceof OrderCancelRequested c) cancels.add(c.clientOrderId());
    }
    // Answered once every sale is at the broker (its working orders canceled first): a replay's next bar then matches it, whatever
    // the timing of the answers, so a replayed morning sells at the same bar every time.
    PendingExits waiting = new PendingExits(new java.util.TreeSet<>(closing), answer, exit.replyTo());
    return Effect().persist(events).thenRun(s -> {
      pendingExits.add(waiting);
      send(s, sends, cancels);
      settleExits(s);
    }).thenNoReply();
  }

  /** Answers the market-open exits whose transactions all have their sale answered, or need none, in {@code state}. */
  private void settleExits(State state) {
    for (java.util.Iterator<PendingExits> it = pendingExits.iterator(); it.hasNext(); ) {
      PendingExits waiting = it.next();
      waiting.transactions.removeIf(id -> saleSettled(state, state.transaction(id)));
      if (waiting.transactions.isEmpty()) {
        waiting.replyTo.tell(waiting.answer);
        it.remove();
      }
    }
    if (pendingExits.isEmpty()) exitsAnswered.clear(); // kept only while an exit waits: a long run does not accumulate them
  }

  /** True when {@code t} needs no more sale, or its sale has the broker's answer. */
  private boolean saleSettled(State state, Transaction t) {
    if (t == null || t.status() != TransactionStatus.CLOSING || t.held().value().signum() <= 0) return true;
    for (ClientOrderId id : t.orders()) {
      ExpertOrder o = state.orders().get(id);
      if (o != null && o.role() == OrderRole.EXIT && (o.status() != OrderStatus.SUBMITTED || exitsAnswered.contains(id))) return true;
    }
    return false;
  }

  private ReplyEffect<Event, State> onApplyFill(State state, ApplyFill apply) {
    Fill fill = apply.fill();
    ExpertOrder order = state.orders().get(fill.clientOrderId());
    if (state.appliedTradeIds().applied(fill) || order == null) {
      if (order == null) context.getLog().warn("Fill {} of order {} is not one of expert {}'s orders kept; not applied", fill.tradeId(),
          fill.clientOrderId(), expertId);
      return Effect().reply(apply.replyTo(), Done.getInstance());
    }
    Instant now = now(state.settings());
    List<Event> events = new ArrayList<>();
    events.add(new FillApplied(expertId, fill, now));
    State after = applyAll(state, events);
    events.addAll(consequences(after, order.transactionId(), now));
    List<ClientOrderId> sends = new ArrayList<>();
    List<ClientOrderId> cancels = new ArrayList<>();
    for (Event e : events) {
      if (e instanceof OrderSubmitted s) sends.add(s.clientOrderId());
      if (e instanceof OrderCancelRequested c) cancels.add(c.clientOrderId());
    }
    return Effect().persist(events).thenRun(s -> {
      send(s, sends, cancels);
      settleExits(s);
    }).thenReply(apply.replyTo(), s -> Done.getInstance());
  }

  /**
   * After a fill of transaction {@code id}, or one of its orders ended: its protective orders once the
   * entry is done, the other's cancel once one exit filled; a CLOSING one sells what it holds once
   * nothing else can fill ({@link #exitOrSettle}). An OPENED transaction whose exit order ended without
   * a fill stays OPENED holding its quantity, without a working exit.
   */
  private List<Event> consequences(State state, String id, Instant now) {
    Transaction t = state.transaction(id);
    if (t == null) return List.of();
    List<Event> events = new ArrayList<>();
    if (t.status() == TransactionStatus.OPENED) {
      ExpertOrder entry = state.orders().get(t.orders().get(0));
      boolean entryDone = entry != null && !entry.isWorking();
      boolean protectionSent = t.orders().stream().map(state.orders()::get)
          .anyMatch(o -> o != null && (o.role() == OrderRole.STOP_LOSS || o.role() == OrderRole.TAKE_PROFIT));
      boolean sold = t.exitFilled().value().signum() > 0;
      if (entryDone && !protectionSent && !sold) {
        long sequence = state.orderSequence();
        if (t.stopLoss() != null)
          events.add(new OrderSubmitted(expertId, id, OrderSources.expertOrder(expertId, ++sequence), OrderRole.STOP_LOSS, OrderSide.SELL,
              OrderType.STOP_MARKET, t.held(), t.stopLoss(), null, now));
        if (t.takeProfit() != null)
          events.add(new OrderSubmitted(expertId, id, OrderSources.expertOrder(expertId, ++sequence), OrderRole.TAKE_PROFIT, OrderSide.SELL,
              OrderType.LIMIT, t.held(), null, t.takeProfit(), now));
      }
      if (sold) {
        // a stop-loss or take-profit filled: the other one goes
        for (ClientOrderId oid : t.orders()) {
          ExpertOrder o = state.orders().get(oid);
          if (o != null && o.isWorking() && o.side() == OrderSide.SELL && !o.cancelRequested())
            events.add(new OrderCancelRequested(expertId, oid, now));
        }
      }
    }
    if (t.status() == TransactionStatus.CLOSING) events.addAll(exitOrSettle(applyAll(state, events), id, now));
    return events;
  }

  private ReplyEffect<Event, State> onReconcileOrder(State state, ReconcileOrder reconcile) {
    ClientOrderId id = reconcile.clientOrderId();
    ExpertOrder order = state.orders().get(id);
    if (order == null || !order.isWorking()) return Effect().reply(reconcile.replyTo(), Done.getInstance());
    OrderReport row = reconcile.report();
    Instant now = now(state.settings());
    List<Event> events = new ArrayList<>();
    BrokerError refusal = null;
    if (row == null) {
      if (order.status() != OrderStatus.SUBMITTED || placing.contains(id)) return Effect().reply(reconcile.replyTo(), Done.getInstance());
      context.getLog().warn("Expert {}: order {} of unknown outcome is not at the broker; it was never placed", expertId, id);
      String reason = "not in the broker's order book: never placed";
      events.add(new OrderRejected(expertId, id, reason, now));
      refusal = new BrokerError.Rejected(reason);
    } else if (row.status() == OrderStatus.REJECTED) {
      String reason = "Rejected: " + (row.rejectReason() != null ? row.rejectReason() : "refused by the broker");
      events.add(new OrderRejected(expertId, id, reason, now));
      refusal = new BrokerError.Rejected(row.rejectReason() != null ? row.rejectReason() : "refused by the broker");
    } else {
      if (order.venueOrderId() == null && row.venueOrderId() != null) events.add(new OrderAccepted(expertId, id, row.venueOrderId(), now));
      if (row.status() == OrderStatus.EXPIRED) events.add(new OrderExpired(expertId, id, now));
      else if (row.status() == OrderStatus.CANCELED) events.add(new OrderCanceled(expertId, id, now));
    }
    if (events.isEmpty()) return Effect().reply(reconcile.replyTo(), Done.getInstance());
    State after = applyAll(state, events);
    ExpertOrder known = after.orders().get(id);
    if (known.isWorking()) context.getLog().info("Expert {}: order {} found at the broker ({}); known again", expertId, id, row.status());
    else if (row != null) context.getLog().warn("Expert {}: the broker ended order {} ({}) without telling us; reconciled", expertId, id,
        row.status());
    events.addAll(consequences(after, order.transactionId(), now));
    List<ClientOrderId> sends = new ArrayList<>();
    List<ClientOrderId> cancels = new ArrayList<>();
    for (Event e : events) {
      if (e instanceof OrderSubmitted s) sends.add(s.clientOrderId());
      if (e instanceof OrderCancelRequested c) cancels.add(c.clientOrderId());
    }
    // an order found at the broker after its cancel was asked: the cancel goes now that it has a venue id
    if (known.cancelRequested() && known.isWorking() && order.venueOrderId() == null && known.venueOrderId() != null && !cancels.contains(id))
      cancels.add(id);
    BrokerError answer = refusal;
    return Effect().persist(events).thenRun(s -> {
      if (order.status() == OrderStatus.SUBMITTED) answerEntry(id, answer);
      send(s, sends, cancels);
      settleExits(s);
    }).thenReply(reconcile.replyTo(), s -> Done.getInstance());
  }

  private ReplyEffect<Event, State> onBrokerReplied(State state, BrokerReplied replied) {
    BrokerCall.Reply reply = replied.reply();
    Instant now = now(state.settings());
    List<Event> events = new ArrayList<>();
    ClientOrderId id;
    if (reply instanceof BrokerCall.Placed placed) {
      id = placed.clientOrderId();
      placing.remove(id);
      markExitAnswered(state, id);
      ExpertOrder order = state.orders().get(id);
      if (order != null && order.venueOrderId() == null && order.status() == OrderStatus.SUBMITTED)
        events.add(new OrderAccepted(expertId, id, placed.venueOrderId(), now));
      answerEntry(id, null);
    } else if (reply instanceof BrokerCall.Canceled canceled) {
      id = canceled.clientOrderId();
      ExpertOrder order = state.orders().get(id);
      if (order != null && order.isWorking()) events.add(new OrderCanceled(expertId, id, now));
    } else if (reply instanceof BrokerCall.Failed failed) {
      id = BrokerCall.clientOrderIdOf(failed.call());
      if (failed.call() instanceof BrokerCall.PlaceOrder) {
        placing.remove(id);
        markExitAnswered(state, id);
      }
      ExpertOrder order = id == null ? null : state.orders().get(id);
      String reason = failed.error().getClass().getSimpleName() + ": " + failed.error().detail();
      if (order != null && failed.call() instanceof BrokerCall.PlaceOrder && failed.error() instanceof BrokerError.Timeout) {
        // it may have reached the broker: it stays SUBMITTED for reconciliation, never sent again
        context.getLog().warn("Expert {}: placement of {} unanswered ({}); left for reconciliation", expertId, id, reason);
        answerEntry(id, null);
      } else if (order != null && failed.call() instanceof BrokerCall.PlaceOrder && order.status() == OrderStatus.SUBMITTED) {
        events.add(new OrderRejected(expertId, id, reason, now));
        answerEntry(id, failed.error());
      } else if (order != null && failed.call() instanceof BrokerCall.CancelOrder) {
        context.getLog().warn("Expert {}: cancel of {} refused: {}", expertId, id, reason);
      }
    } else {
      return Effect().noReply();
    }
    if (events.isEmpty()) {
      settleExits(state);
      return Effect().noReply();
    }
    State after = applyAll(state, events);
    ExpertOrder order = after.orders().get(id);
    if (order != null) {
      List<Event> more = order.isWorking() ? List.of() : exitOrSettle(after, order.transactionId(), now);
      events.addAll(more);
    }
    List<ClientOrderId> sends = new ArrayList<>();
    for (Event e : events) if (e instanceof OrderSubmitted s) sends.add(s.clientOrderId());
    // an order accepted after its cancel was asked: the cancel goes now that it has a venue id
    List<ClientOrderId> cancels = new ArrayList<>();
    if (order != null && order.cancelRequested() && order.isWorking() && order.venueOrderId() != null && reply instanceof BrokerCall.Placed)
      cancels.add(id);
    return Effect().persist(events).thenRun(s -> {
      send(s, sends, cancels);
      settleExits(s);
    }).thenNoReply();
  }

  /** Notes that the broker answered the placement of {@code id} when it is a sale (an EXIT order). */
  private void markExitAnswered(State state, ClientOrderId id) {
    ExpertOrder order = id == null ? null : state.orders().get(id);
    if (order != null && order.role() == OrderRole.EXIT) exitsAnswered.add(id);
  }

  /** The answer of {@code entry} reached its batch: a refusal turns the recommendation into a skip. */
  private void answerEntry(ClientOrderId entry, BrokerError error) {
    PendingBatch batch = pending.remove(entry);
    if (batch == null) return;
    Integer index = batch.entries.remove(entry);
    if (index != null && error != null) {
      Outcome accepted = batch.outcomes[index];
      String detail = error.detail();
      SkipReason reason = detail.startsWith("ACCOUNT_HALTED") ? SkipReason.ACCOUNT_HALTED : detail.startsWith("RISK_") ? SkipReason.RISK
          : SkipReason.REJECTED;
      batch.outcomes[index] = new Outcome(accepted.instrument(), accepted.action(), accepted.transactionId(), reason, detail);
    }
    if (batch.entries.isEmpty()) batch.replyTo.tell(new Outcomes(expertId, List.of(batch.outcomes)));
  }

  /** Sends the placements {@code sends} and the cancels {@code cancels} of {@code state}'s orders. */
  private void send(State state, List<ClientOrderId> sends, List<ClientOrderId> cancels) {
    if (state.settings() == null) return;
    if (gateway == null || !state.settings().account().equals(gatewayAccount)) {
      gatewayAccount = state.settings().account();
      gateway = GatewayLink.subscribe(context, gatewayAccount, GatewayListed::new);
    }
    for (ClientOrderId id : sends) {
      ExpertOrder o = state.orders().get(id);
      Transaction t = state.transaction(o.transactionId());
      placing.add(id);
      gateway.send(new BrokerGateway.Execute(new BrokerCall.PlaceOrder(new OrderRequest(id, t.instrument(), o.side(), o.type(), o.quantity(),
          o.trigger(), o.limit(), TimeInForce.DAY)), BrokerGateway.Priority.CRITICAL, brokerReplies));
    }
    for (ClientOrderId id : cancels) {
      ExpertOrder o = state.orders().get(id);
      if (o != null && o.venueOrderId() != null && o.isWorking())
        gateway.send(new BrokerGateway.Execute(new BrokerCall.CancelOrder(id, o.venueOrderId()), BrokerGateway.Priority.CRITICAL, brokerReplies));
    }
  }

  // ---------------------------------------------------------------- events

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(Expert::applyEvent);
  }

  /**
   * The expert's event handler: {@code state} after {@code event}, as recovery and the audit fold it.
   *
   * @throws IllegalArgumentException for an event that is not an expert's
   */
  public static State applyEvent(State state, Event event) {
    if (event instanceof ExpertConfigured e)
      return new State(state.expertId(), e.settings(), state.orderSequence(), state.transactionSequence(), state.transactions(), state.orders(),
          state.appliedTradeIds());
    if (event instanceof RecommendationSkipped) return state;
    if (event instanceof TransactionOpened e) {
      State counted = new State(state.expertId(), state.settings(), state.orderSequence() + 1, state.transactionSequence() + 1,
          state.transactions(), state.orders(), state.appliedTradeIds());
      Transaction t = new Transaction(e.transactionId(), e.instrument(), TransactionStatus.WAITING, e.quantity(), Quantity.ZERO, e.stopLoss(),
          e.takeProfit(), e.confidence(), BigDecimal.ZERO, Quantity.ZERO, BigDecimal.ZERO, Quantity.ZERO, List.of(e.entryOrder()), e.tsEvent(),
          null, null);
      ExpertOrder entry = new ExpertOrder(e.entryOrder(), e.transactionId(), OrderRole.ENTRY, OrderSide.BUY, OrderType.MARKET, e.quantity(),
          null, null, OrderStatus.SUBMITTED, null, Quantity.ZERO, false, null);
      return counted.with(t).with(entry);
    }
    if (event instanceof OrderSubmitted e) {
      State counted = new State(state.expertId(), state.settings(), state.orderSequence() + 1, state.transactionSequence(),
          state.transactions(), state.orders(), state.appliedTradeIds());
      Transaction t = state.transaction(e.transactionId());
      ExpertOrder order = new ExpertOrder(e.clientOrderId(), e.transactionId(), e.role(), e.side(), e.type(), e.quantity(), e.trigger(),
          e.limit(), OrderStatus.SUBMITTED, null, Quantity.ZERO, false, null);
      return t == null ? counted.with(order) : counted.with(t.withOrder(e.clientOrderId())).with(order);
    }
    if (event instanceof OrderAccepted e) {
      ExpertOrder o = state.orders().get(e.clientOrderId());
      return o == null ? state : state.with(o.with(o.status() == OrderStatus.SUBMITTED ? OrderStatus.ACCEPTED : o.status(), e.venueOrderId(),
          o.filled(), o.cancelRequested(), o.lastError()));
    }
    if (event instanceof OrderRejected e) {
      ExpertOrder o = state.orders().get(e.clientOrderId());
      if (o == null) return state;
      State next = state.with(o.with(OrderStatus.REJECTED, o.venueOrderId(), o.filled(), false, e.reason()));
      Transaction t = next.transaction(o.transactionId());
      if (t != null && o.role() == OrderRole.ENTRY) next = next.with(t.with(TransactionStatus.FAILED, "entry refused: " + e.reason(), e.tsEvent()));
      return settle(next, o.transactionId(), e.tsEvent());
    }
    if (event instanceof OrderCancelRequested e) {
      ExpertOrder o = state.orders().get(e.clientOrderId());
      return o == null ? state : state.with(o.with(o.status(), o.venueOrderId(), o.filled(), true, o.lastError()));
    }
    if (event instanceof OrderCanceled e) return ended(state, e.clientOrderId(), OrderStatus.CANCELED, e.tsEvent());
    if (event instanceof OrderExpired e) return ended(state, e.clientOrderId(), OrderStatus.EXPIRED, e.tsEvent());
    if (event instanceof FillApplied e) {
      Fill fill = e.fill();
      ExpertOrder o = state.orders().get(fill.clientOrderId());
      State next = new State(state.expertId(), state.settings(), state.orderSequence(), state.transactionSequence(), state.transactions(),
          state.orders(), state.appliedTradeIds().with(fill));
      if (o == null) return next;
      Quantity filled = o.filled().plus(fill.lastQty());
      next = next.with(o.with(filled.compareTo(o.quantity()) >= 0 ? OrderStatus.FILLED : OrderStatus.PARTIALLY_FILLED, o.venueOrderId(), filled,
          o.cancelRequested(), o.lastError()));
      Transaction t = next.transaction(o.transactionId());
      if (t == null) return next;
      t = t.filled(fill.side(), fill.lastQty(), fill.lastPx());
      if (t.status() == TransactionStatus.WAITING && fill.side() == OrderSide.BUY) t = t.with(TransactionStatus.OPENED, null, e.tsEvent());
      next = next.with(t);
      return settle(next, t.id(), e.tsEvent());
    }
    if (event instanceof CloseRequested e) {
      Transaction t = state.transaction(e.transactionId());
      return t == null ? state : state.with(t.with(TransactionStatus.CLOSING, e.reason(), e.tsEvent()));
    }
    throw new IllegalArgumentException("not an expert's event: " + event);
  }

  /**
   * The order {@code id} ended by the broker as {@code status} (CANCELED or EXPIRED) with what filled of
   * it: an entry that ends with nothing filled while its transaction is WAITING fails the transaction
   * (nothing was bought, nothing is left to wait for); then the transaction settles ({@link #settle}).
   */
  private static State ended(State state, ClientOrderId id, OrderStatus status, Instant at) {
    ExpertOrder o = state.orders().get(id);
    if (o == null) return state;
    State next = state.with(o.with(status, o.venueOrderId(), o.filled(), false, o.lastError()));
    Transaction t = next.transaction(o.transactionId());
    if (t != null && o.role() == OrderRole.ENTRY && t.status() == TransactionStatus.WAITING && t.entryFilled().value().signum() == 0)
      next = next.with(t.with(TransactionStatus.FAILED, "entry " + status + " at the broker without a fill", at));
    return settle(next, o.transactionId(), at);
  }

  /**
   * The status that follows from a transaction's orders and holding: an OPENED or CLOSING one that
   * sold all it bought, with nothing left working, is CLOSED; a CLOSING one that never bought and has
   * nothing working is CLOSED too.
   */
  private static State settle(State state, String transactionId, Instant at) {
    Transaction t = state.transaction(transactionId);
    if (t == null || !t.status().isOpen()) return state;
    boolean working = false;
    for (ClientOrderId id : t.orders()) {
      ExpertOrder o = state.orders().get(id);
      if (o != null && o.isWorking()) working = true;
    }
    if (working) return state;
    boolean flat = t.held().value().signum() == 0;
    if (flat && t.entryFilled().value().signum() > 0) return state.with(t.with(TransactionStatus.CLOSED, t.status() == TransactionStatus.CLOSING
        ? t.reason() : "exited", at));
    if (flat && t.status() == TransactionStatus.CLOSING) return state.with(t.with(TransactionStatus.CLOSED, "closed before any fill", at));
    return state;
  }
}
