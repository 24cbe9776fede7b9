package dev.ordo.app.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ordo.app.EngineQueries;
import dev.ordo.app.api.ExpertView;
import dev.ordo.app.api.RecommendationResults;
import dev.ordo.app.api.TransactionView;
import dev.ordo.engine.expert.Expert;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.trading.OrderSources;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * Experts over HTTP: {@code GET /experts}, {@code GET /experts/{expertId}}, {@code PUT /experts/{expertId}}
 * (create or change, JSON settings), {@code POST /experts/{expertId}/recommendations} (a batch) and
 * {@code GET /experts/{expertId}/transactions}. A body with a problem answers 400 naming every field at
 * fault; an expert that does not exist, or whose account the token does not see, answers 404.
 */
public final class ExpertRoutes extends AllDirectives {

  static final Set<String> SETTINGS_FIELDS = Set.of("account", "enabled", "maxOpenTransactions", "allocationPerTrade", "minConfidence",
      "instruments");
  static final Set<String> RECOMMENDATION_FIELDS = Set.of("instrument", "action", "confidence", "stopLoss", "takeProfit", "quantity");
  static final int MAX_RECOMMENDATIONS = 1000;

  private final EngineQueries queries;

  public ExpertRoutes(EngineQueries queries) {
    this.queries = queries;
  }

  /** The routes as {@code principal} may use them. */
  public Route routes(ApiTokens.Principal principal) {
    return pathPrefix("experts", () -> concat(
        pathEnd(() -> get(() -> onSuccess(queries.experts(), experts -> ok(experts.stream()
            .filter(e -> principal.scope().seesAccount(e.settings().account())).map(this::view).toList())))),
        pathPrefix(PathMatchers.segment(), id -> concat(
            pathEnd(() -> concat(
                get(() -> withExpert(principal, id, state -> ok(view(state)))),
                put(() -> entity(Unmarshaller.entityToString(), body -> configure(principal, id, body))))),
            path("recommendations", () -> post(() -> withExpert(principal, id, state ->
                entity(Unmarshaller.entityToString(), body -> recommend(state, body))))),
            path("transactions", () -> get(() -> withExpert(principal, id, state -> ok(state.transactions().stream()
                .map(t -> TransactionView.of(state, t, queries.currencyOf(t.instrument()))).toList()))))))));
  }

  private Route withExpert(ApiTokens.Principal principal, String id, Function<Expert.State, Route> inner) {
    if (!OrderSources.EXPERT_ID.matcher(id).matches()) return unknown(id);
    return onSuccess(queries.expert(id), state -> state.exists() && principal.scope().seesAccount(state.settings().account())
        ? inner.apply(state) : unknown(id));
  }

  private Route unknown(String id) {
    return error(StatusCodes.NOT_FOUND, "unknown expert", "no expert '" + id + "'; create it with PUT /experts/" + id);
  }

  private Route configure(ApiTokens.Principal principal, String id, String text) {
    RequestBody body = new RequestBody();
    if (!OrderSources.EXPERT_ID.matcher(id).matches()) body.problem("expertId", "1 to 12 lower-case letters, digits or dashes starting with a letter, got '"
        + id + "'");
    JsonNode json = body.parse(text);
    Expert.Settings settings = json == null ? null : settings(body, json, principal);
    if (!body.ok() || settings == null) return error(StatusCodes.BAD_REQUEST, "bad expert settings", body.detail());
    return onSuccess(queries.expert(id), before -> {
      if (before.exists() && !principal.scope().seesAccount(before.settings().account())) return unknown(id);
      boolean created = !before.exists();
      return onSuccess(queries.configureExpert(id, settings, principal.subject()),
          state -> complete(created ? StatusCodes.CREATED : StatusCodes.OK, view(state), Jackson.marshaller(Json.mapper())));
    });
  }

  private Expert.Settings settings(RequestBody body, JsonNode json, ApiTokens.Principal principal) {
    body.onlyFields(json, "", SETTINGS_FIELDS);
    String accountText = body.text(json, "", "account", null);
    AccountId account = null;
    if (accountText == null) body.problem("account", "required: the account the expert trades in");
    else {
      Optional<AccountId> known = queries.knownAccounts().stream().filter(a -> a.value().equals(accountText))
          .filter(principal.scope()::seesAccount).findFirst();
      if (known.isEmpty()) body.problem("account", "no account '" + accountText + "'");
      else account = known.get();
    }
    boolean enabled = body.bool(json, "", "enabled", true);
    int maxOpen = body.integer(json, "", "maxOpenTransactions", 5, 1, 10_000);
    BigDecimal allocation = body.decimal(json, "", "allocationPerTrade", BigDecimal.ZERO, true, null);
    BigDecimal minConfidence = body.decimal(json, "", "minConfidence", BigDecimal.ZERO, false, BigDecimal.ONE);
    Set<InstrumentId> instruments = new LinkedHashSet<>();
    JsonNode list = json.get("instruments");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) body.problem("instruments", "must be an array of instruments (SYMBOL.VENUE or a trading symbol), got " + list);
      else for (int i = 0; i < list.size(); i++) {
        JsonNode item = list.get(i);
        String path = "instruments[" + i + "]";
        if (!item.isTextual()) body.problem(path, "must be a string, got " + item);
        else if (account != null) {
          Optional<InstrumentId> id = queries.instrument(account, item.asText());
          if (id.isEmpty()) body.problem(path, "account " + account + " does not trade '" + item.asText() + "'");
          else instruments.add(id.get());
        }
      }
    }
    if (!body.ok() || account == null) return null;
    return new Expert.Settings(account, enabled, maxOpen, allocation != null ? allocation : new BigDecimal("100000"),
        minConfidence != null ? minConfidence : BigDecimal.ZERO, instruments);
  }

  private Route recommend(Expert.State state, String text) {
    RequestBody body = new RequestBody();
    JsonNode json = body.parse(text);
    List<Expert.Recommendation> recommendations = new ArrayList<>();
    if (json != null) {
      body.onlyFields(json, "", Set.of("recommendations"));
      JsonNode list = json.get("recommendations");
      if (list == null || !list.isArray() || list.isEmpty())
        body.problem("recommendations", "required: a non-empty array of recommendations");
      else if (list.size() > MAX_RECOMMENDATIONS)
        body.problem("recommendations", "at most " + MAX_RECOMMENDATIONS + " per request, got " + list.size());
      else for (int i = 0; i < list.size(); i++) {
        Expert.Recommendation r = recommendation(body, list.get(i), "recommendations[" + i + "]", state.settings().account());
        if (r != null) recommendations.add(r);
      }
    }
    if (!body.ok()) return error(StatusCodes.BAD_REQUEST, "bad recommendations", body.detail());
    return onSuccess(queries.recommend(state.expertId(), state.settings().account(), recommendations),
        outcomes -> ok(RecommendationResults.of(outcomes)));
  }

  private Expert.Recommendation recommendation(RequestBody body, JsonNode item, String path, AccountId account) {
    if (!item.isObject()) {
      body.problem(path, "must be an object, got " + item);
      return null;
    }
    int before = body.problems().size();
    body.onlyFields(item, path, RECOMMENDATION_FIELDS);
    String instrumentText = body.text(item, path, "instrument", null);
    if (instrumentText == null) body.problem(path + ".instrument", "required");
    String actionText = body.text(item, path, "action", null);
    Expert.Action action = null;
    if (actionText == null) body.problem(path + ".action", "required: BUY, SELL or HOLD");
    else try {
      action = Expert.Action.valueOf(actionText);
    } catch (IllegalArgumentException e) {
      body.problem(path + ".action", "must be BUY, SELL or HOLD, got '" + actionText + "'");
    }
    BigDecimal confidence = body.decimal(item, path, "confidence", BigDecimal.ZERO, false, BigDecimal.ONE);
    BigDecimal stopLoss = body.decimal(item, path, "stopLoss", BigDecimal.ZERO, true, null);
    BigDecimal takeProfit = body.decimal(item, path, "takeProfit", BigDecimal.ZERO, true, null);
    BigDecimal quantity = body.decimal(item, path, "quantity", BigDecimal.ZERO, true, null);
    InstrumentId instrument = instrumentText == null ? null : instrument(body, path, account, instrumentText);
    if (body.problems().size() > before) return null;
    return new Expert.Recommendation(instrument, action, confidence, stopLoss == null ? null : Price.of(stopLoss),
        takeProfit == null ? null : Price.of(takeProfit), quantity == null ? null : Quantity.of(quantity));
  }

  /**
   * The instrument named {@code text} for {@code account}: one it trades, or (for the expert to answer
   * {@code UNKNOWN_INSTRUMENT}) the id the text names; a text that cannot name an instrument is a problem.
   */
  private InstrumentId instrument(RequestBody body, String path, AccountId account, String text) {
    Optional<InstrumentId> traded = queries.instrument(account, text);
    if (traded.isPresent()) return traded.get();
    try {
      if (text.contains(".")) return InstrumentId.parse(text);
      Set<InstrumentId> own = queries.instrumentsOf(account);
      String venue = own.isEmpty() ? "NSE" : own.iterator().next().venue();
      return new InstrumentId(text, venue);
    } catch (IllegalArgumentException e) {
      body.problem(path + ".instrument", "not an instrument (SYMBOL.VENUE or a trading symbol): " + e.getMessage());
      return null;
    }
  }

  private ExpertView view(Expert.State state) {
    Set<InstrumentId> own = queries.instrumentsOf(state.settings().account());
    String currency = own.isEmpty() ? null : queries.currencyOf(own.iterator().next());
    return ExpertView.of(state, currency);
  }

  private Route ok(Object body) {
    return completeOK(body, Jackson.marshaller(Json.mapper()));
  }

  private Route error(StatusCode status, String error, String detail) {
    return complete(status, new Json.Error(error, detail), Jackson.marshaller(Json.mapper()));
  }
}
