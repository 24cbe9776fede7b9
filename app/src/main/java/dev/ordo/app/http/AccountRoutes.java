package dev.ordo.app.http;

import dev.ordo.app.EngineQueries;
import dev.ordo.app.api.BarsView;
import dev.ordo.app.api.OrderView;
import dev.ordo.app.api.RiskView;
import dev.ordo.engine.risk.AccountRisk;
import dev.ordo.app.api.ServiceView;
import dev.ordo.app.api.TaskRunAnswer;
import dev.ordo.engine.calendar.VenueZones;
import dev.ordo.engine.schedule.TaskScheduler;
import dev.ordo.engine.service.ServiceManager;
import dev.ordo.app.api.SymbolView;
import dev.ordo.app.api.TradeView;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.SymbolTrader;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Per-account resources: {@code GET /accounts/{account}/positions}, {@code .../orders},
 * {@code .../trades} (closed round trips), {@code .../symbols/{symbol}} (a symbol trader's
 * state; {@code symbol} is {@code SYMBOL.VENUE} or a trading symbol such as {@code DALBHARAT-EQ}) and
 * {@code .../symbols/{symbol}/bars[?limit=N]} (the last N bars it applied, with the strategy's state after each); the control actions
 * {@code POST .../service/start}, {@code .../service/stop}, {@code .../tasks/{task}/run} and the kill switch
 * {@code POST .../halt} and {@code .../resume} (409 when the account already is in that state).
 * An unknown account or symbol answers 404 with a JSON error, and so does an account the caller's
 * token may not see (its existence does not leak).
 */
public final class AccountRoutes extends AllDirectives {

  private final EngineQueries queries;

  public AccountRoutes(EngineQueries queries) {
    this.queries = queries;
  }

  /** The routes as {@code principal} may use them: an account its scope does not see answers 404 like an unknown one. */
  public Route routes(ApiTokens.Principal principal) {
    return pathPrefix("accounts", () -> pathPrefix(PathMatchers.segment(), accountText ->
        onSuccess(queries.accounts(), accounts -> withAccount(accounts.stream().filter(principal.scope()::seesAccount)
            .collect(Collectors.toCollection(TreeSet::new)), accountText, account -> concat(get(() -> concat(
            path("positions", () -> onSuccess(queries.positions(account), this::ok)),
            path("orders", () -> onSuccess(queries.orders(account), this::orders)),
            path("trades", () -> onSuccess(queries.trades(account), this::trades)),
            path(PathMatchers.segment("symbols").slash(PathMatchers.segment()), symbol -> withInstrument(account, symbol,
                instrument -> onSuccess(queries.symbol(account, instrument), this::symbol))),
            path(PathMatchers.segment("symbols").slash(PathMatchers.segment()).slash("bars"), symbol -> withInstrument(account, symbol,
                instrument -> parameterOptional("limit", limit -> bars(account, instrument, limit)))))),
            post(() -> concat(
                path("halt", () -> onSuccess(queries.halt(account, principal.subject()), answer -> riskControl(account, answer))),
                path("resume", () -> onSuccess(queries.resume(account, principal.subject()), answer -> riskControl(account, answer))),
                path(PathMatchers.segment("service").slash("start"), () ->
                    onSuccess(queries.startService(account, principal.subject()), this::control)),
                path(PathMatchers.segment("service").slash("stop"), () ->
                    onSuccess(queries.stopService(account, principal.subject()), this::control)),
                path(PathMatchers.segment("tasks").slash(PathMatchers.segment()).slash("run"), task ->
                    onSuccess(queries.runTask(account, task, principal.subject()), answer -> taskRun(account, task, answer))))))))));
  }

  /** Bars per answer when no limit is given, and the most one answer holds. */
  static final int DEFAULT_BARS = 500;
  static final int MAX_BARS = 5000;

  private Route bars(AccountId account, InstrumentId instrument, Optional<String> limitText) {
    int limit;
    try {
      limit = limitText.map(Integer::parseInt).orElse(DEFAULT_BARS);
      if (limit < 1 || limit > MAX_BARS) throw new NumberFormatException();
    } catch (NumberFormatException e) {
      return complete(StatusCodes.BAD_REQUEST, new Json.Error("bad limit", "limit must be a whole number 1.." + MAX_BARS + ", got '"
          + limitText.orElse("") + "'"), Jackson.marshaller(Json.mapper()));
    }
    String currency = queries.currencyOf(instrument);
    return onSuccess(queries.bars(account, instrument, limit), recent -> onSuccess(queries.barsApplied(account, instrument), journaled -> {
      java.util.Map<java.time.Instant, dev.ordo.engine.strategy.StrategyState> decided = new java.util.HashMap<>();
      for (SymbolTrader.BarApplied e : journaled) decided.put(e.bar().tsOpen().toInstant(), e.strategy());
      List<BarsView.BarView> bars = recent.bars().stream().map(b -> BarsView.BarView.of(b, decided.get(b.tsOpen().toInstant()))).toList();
      return ok(new BarsView(instrument, currency, recent.applied(), bars));
    }));
  }

  private Route control(ServiceManager.ControlAnswer answer) {
    if (answer instanceof ServiceManager.UnknownAccount unknown)
      return notFound("unknown account", "no account '" + unknown.account() + "'; accounts: " + unknown.accounts());
    ServiceView view = ServiceView.of(answer, zone());
    return complete(answer instanceof ServiceManager.Conflict ? StatusCodes.CONFLICT : StatusCodes.OK, view, Jackson.marshaller(Json.mapper()));
  }

  private Route riskControl(AccountId account, AccountRisk.ControlAnswer answer) {
    RiskView view = RiskView.of(answer, queries.currencyOfAccount(account), zone());
    return complete(answer instanceof AccountRisk.Conflict ? StatusCodes.CONFLICT : StatusCodes.OK, view, Jackson.marshaller(Json.mapper()));
  }

  private Route taskRun(AccountId account, String task, Optional<TaskScheduler.RunAnswer> answer) {
    if (answer.isEmpty())
      return complete(StatusCodes.CONFLICT, new TaskRunAnswer("conflict", "the service of account " + account
          + " is not running; start it with POST /accounts/" + account + "/service/start", account, task, null), Jackson.marshaller(Json.mapper()));
    if (answer.get() instanceof TaskScheduler.UnknownTask unknown)
      return notFound("unknown task", "account " + account + " has no task '" + unknown.task() + "'; its tasks: " + unknown.tasks());
    if (answer.get() instanceof TaskScheduler.AlreadyRunning running)
      return complete(StatusCodes.CONFLICT, TaskRunAnswer.alreadyRunning(account, running.running(), zone()), Jackson.marshaller(Json.mapper()));
    return ok(TaskRunAnswer.ran(account, ((TaskScheduler.Ran) answer.get()).run(), zone()));
  }

  private java.time.ZoneId zone() {
    return VenueZones.commonZone(queries.instruments());
  }

  private Route orders(List<OrderRecord> orders) {
    return ok(orders.stream().map(o -> OrderView.of(o, queries.currencyOf(o.instrumentId()))).toList());
  }

  private Route trades(List<RoundTrip> trades) {
    return ok(trades.stream().map(t -> TradeView.of(t, queries.currencyOf(t.instrument()))).toList());
  }

  private Route symbol(SymbolTrader.State state) {
    return ok(SymbolView.of(state, queries.currencyOf(state.instrument())));
  }

  private Route withAccount(Set<AccountId> accounts, String text, Function<AccountId, Route> inner) {
    Optional<AccountId> account = accounts.stream().filter(a -> a.value().equals(text)).findFirst();
    if (account.isEmpty()) return notFound("unknown account", "no trading service runs for account '" + text + "'; running: " + accounts);
    return inner.apply(account.get());
  }

  private Route withInstrument(AccountId account, String text, Function<InstrumentId, Route> inner) {
    Optional<InstrumentId> instrument = queries.instrument(account, text);
    if (instrument.isEmpty())
      return notFound("unknown symbol", "'" + text + "' is not an instrument account " + account + " trades; use SYMBOL.VENUE of "
          + queries.instrumentsOf(account));
    return inner.apply(instrument.get());
  }

  private Route ok(Object body) {
    return completeOK(body, Jackson.marshaller(Json.mapper()));
  }

  private Route notFound(String error, String detail) {
    return complete(StatusCodes.NOT_FOUND, new Json.Error(error, detail), Jackson.marshaller(Json.mapper()));
  }
}
