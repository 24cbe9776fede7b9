package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.risk.RiskLimits;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** {@code ordo.accounts.<id>.risk}: each limit optional, none by default, and a clear error naming the key for a bad one. */
class AccountsConfigRiskTest {

  static RiskLimits read(String risk) {
    return AccountsConfig.read(ConfigFactory.parseString("ordo.accounts.paper.risk " + risk).withFallback(ConfigFactory.load())).get(0).risk();
  }

  static String error(String risk) {
    return assertThrows(IllegalArgumentException.class, () -> read(risk)).getMessage();
  }

  @Test
  void noLimitByDefault() {
    assertEquals(RiskLimits.NONE, AccountsConfig.read(ConfigFactory.load()).get(0).risk());
  }

  @Test
  void readsEachLimitAsAnExactAmount() {
    assertEquals(new RiskLimits(new BigDecimal("250000.50"), new BigDecimal("500"), new BigDecimal("1000000"), 3, new BigDecimal("5000")),
        read("{ max-order-notional = \"250000.50\", max-position-quantity = 500, max-position-notional = 1000000, max-open-positions = 3,"
            + " max-daily-realized-loss = 5000 }"));
    assertEquals(new RiskLimits(null, null, null, null, new BigDecimal("0.5")), read("{ max-daily-realized-loss = 0.5 }"));
  }

  @Test
  void aBadLimitIsRefusedNamingItsKey() {
    assertEquals("ordo.accounts.paper.risk.max-order-notionl: not a risk limit; the limits are [max-order-notional, max-position-quantity, "
        + "max-position-notional, max-open-positions, max-daily-realized-loss]", error("{ max-order-notionl = 100 }"));
    assertEquals("ordo.accounts.paper.risk.max-daily-realized-loss: must be positive, got -100", error("{ max-daily-realized-loss = -100 }"));
    assertEquals("ordo.accounts.paper.risk.max-position-notional: not an amount: \"lots\"", error("{ max-position-notional = lots }"));
    assertEquals("ordo.accounts.paper.risk.max-open-positions: not a positive whole number: 2.5", error("{ max-open-positions = 2.5 }"));
    assertEquals("ordo.accounts.paper.risk: an object of limits [max-order-notional, max-position-quantity, max-position-notional, "
        + "max-open-positions, max-daily-realized-loss], got 5", error("= 5"));
  }
}
