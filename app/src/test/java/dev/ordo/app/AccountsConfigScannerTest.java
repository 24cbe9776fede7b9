package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.scanner.BreakoutSignal;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code ordo.accounts.<id>.scanner}: none by default, the rest of {@code ordo.scanner} under what it sets, a clear error naming the key. */
class AccountsConfigScannerTest {

  static AccountsConfig.ScannerConfig read(String scanner) {
    return AccountsConfig.read(ConfigFactory.parseString("ordo.accounts.paper.scanner " + scanner).withFallback(ConfigFactory.load()))
        .get(0).scanner();
  }

  static String error(String scanner) {
    return assertThrows(IllegalArgumentException.class, () -> read(scanner)).getMessage();
  }

  @Test
  void noScannerByDefault() {
    assertNull(AccountsConfig.read(ConfigFactory.load()).get(0).scanner());
  }

  @Test
  void readsTheBlockOverTheDefaults() {
    assertEquals(new AccountsConfig.ScannerConfig("breakout", Path.of("data/sample/nse_equity_daily"), Set.of(), LocalTime.of(9, 30), 8,
        Duration.ofMinutes(30), BreakoutSignal.defaults()), read("{ expert = breakout, daily-data = data/sample/nse_equity_daily }"));
    assertEquals(new AccountsConfig.ScannerConfig("b2", Path.of("d"), Set.of("TCS-EQ.NSE"), LocalTime.of(10, 0), 2, Duration.ZERO,
        new BreakoutSignal(55, new BigDecimal("2"), 20, new BigDecimal("1.5"))), read("{ expert = b2, daily-data = d, instruments = [TCS-EQ.NSE],"
        + " at = \"10:00\", parallelism = 2, cache-ttl = 0s, lookback = 55, volume-factor = 2, stop-lookback = 20, reward-risk = 1.5 }"));
  }

  @Test
  void aBadSettingIsRefusedNamingItsKey() {
    assertEquals("ordo.accounts.paper.scanner.expert: required: the id of the expert (ordo.experts.<id>) its breakouts go to",
        error("{ daily-data = d }"));
    assertEquals("ordo.accounts.paper.scanner.daily-data: required: the folder of daily bar files it scans", error("{ expert = e }"));
    assertEquals("ordo.accounts.paper.scanner.paralelism: not a scanner setting; the settings are [expert, daily-data, instruments, at, "
        + "parallelism, cache-ttl, lookback, volume-factor, stop-lookback, reward-risk]", error("{ expert = e, daily-data = d, paralelism = 3 }"));
    assertEquals("ordo.accounts.paper.scanner.parallelism: must be within 1..256, got 0", error("{ expert = e, daily-data = d, parallelism = 0 }"));
    assertEquals("ordo.accounts.paper.scanner.at: not a time of day (HH:mm): '9h30'", error("{ expert = e, daily-data = d, at = 9h30 }"));
    assertEquals("ordo.accounts.paper.scanner: stopLookback must be within 1..6 sessions, got 10",
        error("{ expert = e, daily-data = d, lookback = 5 }"));
    assertEquals("ordo.accounts.paper.scanner.volume-factor: not a number: \"lots\"", error("{ expert = e, daily-data = d, volume-factor = lots }"));
    assertEquals("ordo.accounts.paper.scanner: an object of settings (expert, daily-data, ...), got 5", error("= 5"));
  }
}
