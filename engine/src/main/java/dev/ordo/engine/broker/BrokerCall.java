package dev.ordo.engine.broker;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.AccountLimits;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.port.SessionToken;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A broker call as a message: what {@link BrokerGateway} executes with the account's token,
 * and the typed {@link Reply} it answers. Kept serializable so a sharded symbol trader on
 * another node can use its account's gateway.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "call")
@JsonSubTypes({
  @JsonSubTypes.Type(value = BrokerCall.PlaceOrder.class, name = "PlaceOrder"),
  @JsonSubTypes.Type(value = BrokerCall.ModifyOrder.class, name = "ModifyOrder"),
  @JsonSubTypes.Type(value = BrokerCall.CancelOrder.class, name = "CancelOrder"),
  @JsonSubTypes.Type(value = BrokerCall.GetOrderBook.class, name = "GetOrderBook"),
  @JsonSubTypes.Type(value = BrokerCall.GetTrades.class, name = "GetTrades"),
  @JsonSubTypes.Type(value = BrokerCall.GetPositions.class, name = "GetPositions"),
  @JsonSubTypes.Type(value = BrokerCall.GetLimits.class, name = "GetLimits"),
  @JsonSubTypes.Type(value = BrokerCall.GetDailyBars.class, name = "GetDailyBars")
})
public sealed interface BrokerCall extends OrdoSerializable {

  /** Runs the call against {@code broker}; a failed stage becomes {@link Failed} with {@link BrokerError.Timeout}. */
  CompletionStage<Reply> execute(Broker broker, SessionToken token);

  /** Place a new order. */
  record PlaceOrder(OrderRequest request) implements BrokerCall {
    @Override
    public CompletionStage<Reply> execute(Broker broker, SessionToken token) {
      return complete(this, broker.placeOrder(token, request), id -> new Placed(request.clientOrderId(), id));
    }
  }

  /** Move the trigger and/or limit of a working order (null keeps it). */
  record ModifyOrder(ClientOrderId clientOrderId, VenueOrderId venueOrderId, Price trigger, Price limit) implements BrokerCall {
    @Override
    public CompletionStage<Reply> execute(Broker broker, SessionToken token) {
      return complete(this, broker.modifyOrder(token, venueOrderId, trigger, limit), id -> new Modified(clientOrderId, id));
    }
  }

  /** Cancel a working order. */
  record CancelOrder(ClientOrderId clientOrderId, VenueOrderId venueOrderId) implements BrokerCall {
    @Override
    public CompletionStage<Reply> execute(Broker broker, SessionToken token) {
      return complete(this, broker.cancelOrder(token, venueOrderId), id -> new Canceled(clientOrderId, id));
    }
  }

  /** Read the order book. */
  record GetOrderBook() implements BrokerCall {
    @Override
    public CompletionStage<Reply> execute(Broker broker, SessionToken token) {
      return complete(this, broker.orderBook(token), OrderBook::new);
    }
  }

  /** Read the trade book. */
  record GetTrades() implements BrokerCall {
    @Override
    public CompletionStage<Reply> execute(Broker broker, SessionToken token) {
      return complete(this, broker.trades(token), Trades::new);
    }
  }

  /** Read positions. */
  record GetPositions() implements BrokerCall {
    @Override
    public CompletionStage<Reply> execute(Broker broker, SessionToken token) {
      return complete(this, broker.positions(token), Positions::new);
    }
  }

  /** Read cash limits. */
  record GetLimits() implements BrokerCall {
    @Override
    public CompletionStage<Reply> execute(Broker broker, SessionToken token) {
      return complete(this, broker.limits(token), Limits::new);
    }
  }

  /**
   * Read the last {@code count} completed daily bars of {@code instrument} before the day {@code before}
   * ({@link Broker#dailyBars}): a scanner's call, at SCAN priority.
   */
  record GetDailyBars(InstrumentId instrument, LocalDate before, int count) implements BrokerCall {
    @Override
    public CompletionStage<Reply> execute(Broker broker, SessionToken token) {
      return complete(this, broker.dailyBars(token, instrument, before, count), bars -> new DailyBars(instrument, bars));
    }
  }

  /** The answer to a call. */
  sealed interface Reply extends OrdoSerializable {}

  record Placed(ClientOrderId clientOrderId, VenueOrderId venueOrderId) implements Reply {}

  record Modified(ClientOrderId clientOrderId, VenueOrderId venueOrderId) implements Reply {}

  record Canceled(ClientOrderId clientOrderId, VenueOrderId venueOrderId) implements Reply {}

  record OrderBook(List<OrderReport> orders) implements Reply {}

  record Trades(List<Fill> fills) implements Reply {}

  record Positions(List<PositionReport> positions) implements Reply {}

  record Limits(AccountLimits limits) implements Reply {}

  /** Daily bars of {@code instrument}, oldest first. */
  record DailyBars(InstrumentId instrument, List<Bar> bars) implements Reply {}

  /** The call did not succeed; {@code error} says why. */
  record Failed(BrokerCall call, BrokerError error) implements Reply {}

  /** The order {@code call} is about (a placement, modification or cancel), else null. */
  static ClientOrderId clientOrderIdOf(BrokerCall call) {
    if (call instanceof PlaceOrder p) return p.request().clientOrderId();
    if (call instanceof ModifyOrder m) return m.clientOrderId();
    if (call instanceof CancelOrder c) return c.clientOrderId();
    return null;
  }

  /** The order {@code reply} answers about, else null. */
  static ClientOrderId clientOrderIdOf(Reply reply) {
    if (reply instanceof Placed p) return p.clientOrderId();
    if (reply instanceof Modified m) return m.clientOrderId();
    if (reply instanceof Canceled c) return c.clientOrderId();
    if (reply instanceof Failed f) return clientOrderIdOf(f.call());
    return null;
  }

  private static <T> CompletionStage<Reply> complete(BrokerCall call, CompletionStage<BrokerResult<T>> result, Function<T, Reply> onOk) {
    return result.handle((value, failure) -> {
      if (failure != null)
        return new Failed(call, new BrokerError.Timeout("no answer: " + failure.getClass().getSimpleName() + ": " + failure.getMessage()));
      if (value instanceof BrokerResult.Ok<T> ok) return onOk.apply(ok.value());
      return new Failed(call, ((BrokerResult.Err<T>) value).error());
    });
  }
}
