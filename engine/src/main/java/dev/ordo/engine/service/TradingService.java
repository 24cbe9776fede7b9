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

  /**
   * The running children of the service.
   *
   * @param barDelivery delivers replayed bars to the symbol traders; null live
   * @param marketData  the market-data stream's connection; null for the paper replay
   * @param reconciler  null for the paper replay
   * @param orderFeed   the order-update stream's connection; null for the paper replay or without an order feed
   */
  public record Parts(
      AccountId account,
      ActorRef<AuthSession.Command> authSession,
      ActorRef<BrokerGateway.Command> gateway,
      ActorRef<BarDelivery.Command> barDelivery,
      ActorRef<MarketDataConnection.Command> marketData,
      ActorRef<Reconciler.Command> reconciler,
      ActorRef<MarketDataConnection.Command> orderFeed)
      implements OrdoSerializable {}

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
   */
  public record Settings(AuthSession.Settings auth, BrokerGateway.Settings gateway, Duration marketDataAskTimeout) {
    public static Settings defaults() {
      return new Settings(AuthSession.Settings.defaults(), BrokerGateway.Settings.defaults(), Duration.ofSeconds(60));
    }

    /**
     * Reads {@code auth.*}, {@code gateway.*} and {@code market-data-ask-timeout} of {@code config}
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
          config.getDuration("market-data-ask-timeout"));
    }
  }

  /** The service of the paper replay. */
  public static Behavior<Command> create(AccountId account, Broker broker, Credentials credentials, Settings settings) {
    return create(account, broker, credentials, settings, null);
  }

  /** A service; with {@code live} (null for the paper replay) it runs the streams, the bar builder and the reconciler instead of the bar delivery. */
  public static Behavior<Command> create(AccountId account, Broker broker, Credentials credentials, Settings settings,
      Live live) {
    return Behaviors.setup(context -> {
      ActorRef<AuthSession.Command> auth = context.spawn(
          LogMdc.ofAccount(AuthSession.Command.class, account,
              Behaviors.supervise(AuthSession.create(account, broker, credentials, settings.auth())).onFailure(SupervisorStrategy.restart())),
          "auth-session");
      ActorRef<BrokerGateway.Command> gateway = context.spawn(
          LogMdc.ofAccount(BrokerGateway.Command.class, account,
              Behaviors.supervise(BrokerGateway.create(account, broker, auth, settings.gateway())).onFailure(SupervisorStrategy.restart())),
          "broker-gateway");
      ActorRef<BarDelivery.Command> barDelivery = null;
      ActorRef<MarketDataConnection.Command> marketData = null;
      ActorRef<Reconciler.Command> reconciler = null;
      ActorRef<MarketDataConnection.Command> orderFeed = null;
      if (live == null) {
        // Resumed, not restarted, after a failure: a restart would forget the subscriptions and deliver nothing more.
        barDelivery = context.spawn(LogMdc.ofAccount(BarDelivery.Command.class, account, Behaviors.supervise(BarDelivery.create(account,
            settings.marketDataAskTimeout())).onFailure(SupervisorStrategy.resume())), "bar-delivery");
      } else {
        reconciler = context.spawn(LogMdc.ofAccount(Reconciler.Command.class, account, Behaviors.supervise(Reconciler.create(account, gateway,
            live.fills(), live.instruments(), live.reconciler(), live.clock())).onFailure(SupervisorStrategy.restart())), "reconciler");
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
      context.getLog().info("Trading service of account {} started", account);
      Parts parts = new Parts(account, auth, gateway, barDelivery, marketData, reconciler, orderFeed);
      return Behaviors.receive(Command.class)
          .onMessage(GetParts.class, request -> {
            request.replyTo().tell(parts);
            return Behaviors.same();
          })
          .onSignal(PostStop.class, signal -> {
            context.getLog().info("Trading service of account {} stopped", account);
            return Behaviors.same();
          })
          .build();
    });
  }
}
