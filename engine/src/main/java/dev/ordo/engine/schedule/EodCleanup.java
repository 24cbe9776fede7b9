package dev.ordo.engine.schedule;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.trading.FailedOrderRetention;
import dev.ordo.engine.trading.SymbolTrader;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * {@code eod-cleanup}: removes the records of failed orders from every symbol trader of the account by
 * the rule of {@link FailedOrderRetention} (placed today: kept; yesterday: kept until the open;
 * older or without a time: removed), each removal journaled by its trader.
 */
public final class EodCleanup implements DayTask {

  /** The task's name. */
  public static final String NAME = "eod-cleanup";

  private final AccountId account;
  private final Supplier<Set<InstrumentId>> instruments;
  private final ClusterSharding sharding;
  private final LocalTime at;
  private final LocalTime yesterdaysKeptUntil;
  private final Duration timeout;

  /**
   * @param instruments          the account's instruments, read at each run
   * @param at                   time of day in the venue's zone (18:00)
   * @param yesterdaysKeptUntil  the open (NSE: 09:15), until which yesterday's failed orders are kept
   * @param timeout              how long one trader may take to answer
   */
  public EodCleanup(AccountId account, Supplier<Set<InstrumentId>> instruments, ClusterSharding sharding, LocalTime at,
      LocalTime yesterdaysKeptUntil, Duration timeout) {
    this.account = account;
    this.instruments = instruments;
    this.sharding = sharding;
    this.at = at;
    this.yesterdaysKeptUntil = yesterdaysKeptUntil;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public LocalTime at() {
    return at;
  }

  @Override
  public RetryPolicy retry() {
    return new RetryPolicy(3, Duration.ofSeconds(10));
  }

  @Override
  public CompletionStage<String> run(Instant now, LocalDate day) {
    List<CompletableFuture<SymbolTrader.FailedOrdersRemoval>> asks = new ArrayList<>();
    for (InstrumentId instrument : instruments.get())
      asks.add(sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, instrument))
          .<SymbolTrader.FailedOrdersRemoval>ask(replyTo -> new SymbolTrader.RemoveFailedOrders(now, yesterdaysKeptUntil, replyTo), timeout)
          .toCompletableFuture());
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      List<String> removed = new ArrayList<>();
      for (CompletableFuture<SymbolTrader.FailedOrdersRemoval> ask : asks)
        ask.join().removed().forEach(id -> removed.add(id.value()));
      return removed.isEmpty() ? "no failed order records to remove (" + asks.size() + " traders)"
          : removed.size() + " failed order record(s) removed: " + String.join(", ", removed);
    });
  }
}
