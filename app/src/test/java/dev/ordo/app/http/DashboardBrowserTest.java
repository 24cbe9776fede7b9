package dev.ordo.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.Engine;
import dev.ordo.app.EngineFixtureAccess;
import dev.ordo.engine.marketdata.ReplayDriver;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's headless Chromium through its chromedriver and Selenium) on an engine replaying the
 * bundled sample while the tests run: a wrong token is refused; the link's token signs in and leaves the address bar; the
 * overview shows the replay's account; the status and the chart's bars are pushed (the page reads neither again while they move);
 * a fill arriving during the test appears without a reload; a symbol's chart carries a
 * marker for each trade the engine lists; a {@code read} token sees no control and its POSTs are refused; a halt from the page
 * makes the next recommendation skipped {@code ACCOUNT_HALTED}. Each view is saved as a screenshot under
 * {@code target/dashboard-screenshots/}. The methods run in order on one replay that goes on while they run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

  static final String ADMIN = "admin-token-dashboard-0123456789";
  static final String READER = "reader-token-dashboard-0123456789";
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");
  static final Duration WAIT = Duration.ofSeconds(20);

  Engine engine;
  WebDriver browser;
  String base;
  final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    if (!Files.isExecutable(CHROMEDRIVER) || !Files.isExecutable(CHROMIUM))
      fail("the dashboard's browser tests need Debian's Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
          + ": sudo apt-get install chromium chromium-driver");
    Path tokens = Files.writeString(dir.resolve("tokens"), String.join("\n", "ops admin " + ADMIN, "grafana read " + READER));
    Config config = ConfigFactory.parseString("ordo.http.tokens-file = \"" + tokens + "\"").withFallback(ConfigFactory.load());
    // 5-minute bars at 12000x: a step every 25 ms at most, the 1125 steps of the sample replaying while the tests look
    engine = EngineFixtureAccess.start(dir.resolve("state"), config, ReplayDriver.Speed.parse("12000x"), progress -> {});
    base = "http://127.0.0.1:" + engine.httpAddress().getPort();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,900",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium")));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (browser != null) browser.quit();
    } finally {
      if (engine != null) engine.close();
    }
  }

  /** A wait that looks again when the page re-rendered what it looked at (the views re-render as the feed pushes). */
  WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(browser, WAIT);
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  void screenshot(String name) throws Exception {
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  void signInWithLink(String token) {
    browser.get(base + "/#token=" + token);
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
  }

  void signOut() {
    if (browser.findElement(By.id("signout")).isDisplayed()) browser.findElement(By.id("signout")).click();
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin")));
  }

  void show(String view) {
    browser.findElement(By.cssSelector("#views button[data-view='" + view + "']")).click();
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("view-" + view)));
  }

  HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) request.header("Content-Type", "application/json");
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Order(1)
  void aWrongTokenIsRefused() throws Exception {
    browser.get(base + "/");
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input"))).sendKeys("wrong-token-0123456789");
    browser.findElement(By.id("signin-button")).click();
    WebElement error = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-error")));
    waiting().until(d -> !error.getText().isEmpty());
    assertEquals("Refused: the bearer token is not one of this engine's tokens", error.getText());
    assertFalse(browser.findElement(By.id("app")).isDisplayed(), "nothing of the engine is shown");
    screenshot("sign-in-refused");
  }

  @Test
  @Order(2)
  void theLinkSignsInAndTheOverviewShowsTheAccountOfTheRunningReplay() throws Exception {
    signInWithLink(ADMIN);
    assertFalse(browser.getCurrentUrl().contains("token"), "the token left the address bar: " + browser.getCurrentUrl());
    assertEquals("ops (admin)", browser.findElement(By.id("whoami")).getText());
    WebElement card = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".card.account[data-account='paper']")));
    waiting().until(d -> card.getText().contains("replay clock"));
    assertTrue(card.getText().contains("service RUNNING"), card.getText());
    assertTrue(card.getText().matches("(?s).*replay (RUNNING|FINISHED) \\d+/1125 steps, session \\d+/15.*"), card.getText());
    assertTrue(card.getText().matches("(?s).*replay clock 2024-01-\\d\\d \\d\\d:\\d\\d:00 \\+05:30.*"), "venue time with its offset: " + card.getText());
    waiting().until(d -> "live".equals(d.findElement(By.id("connection")).getAttribute("data-state")));
    WebElement realized = card.findElement(By.xpath(".//tr[td[1][text()='realized today']]/td[2]"));
    assertEquals("right", realized.getCssValue("text-align"), "numbers are right-aligned");
    assertTrue(realized.getText().endsWith(" INR"), "with their currency: " + realized.getText());
    screenshot("overview");

    browser.manage().window().setSize(new Dimension(390, 844));
    waiting().until(d -> (Boolean) ((JavascriptExecutor) d).executeScript("return document.documentElement.scrollWidth <= window.innerWidth"));
    screenshot("overview-phone");
    browser.manage().window().setSize(new Dimension(1280, 900));
  }

  @Test
  @Order(3)
  void barsAndTheStatusArePushedWithoutThePageReadingThemAgain() throws Exception {
    show("overview");
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".card.account[data-account='paper']")));
    long statusReads = fetched("/status");
    assertTrue(statusReads >= 1, "the page read the status at sign-in: " + fetches());
    String clock = replayClock();
    waiting().withMessage(() -> "the replay clock stayed at " + clock).until(d -> !clock.equals(replayClock()));

    show("symbol");
    WebElement chart = browser.findElement(By.id("chart"));
    String first = waiting().until(d -> chart.getAttribute("data-last-bar"));
    long barReads = fetched("/bars");
    assertTrue(barReads >= 1, "the chart read its bars once: " + fetches());
    waiting().withMessage(() -> "the chart's last bar stayed at " + first)
        .until(d -> Long.parseLong(chart.getAttribute("data-last-bar")) > Long.parseLong(first));
    assertEquals(barReads, fetched("/bars"), "the new bars were pushed, not read: " + fetches());
    assertEquals(statusReads, fetched("/status"), "the status was pushed, not read: " + fetches());
  }

  /** The replay clock the overview shows for {@code paper}. */
  String replayClock() {
    return (String) ((JavascriptExecutor) browser).executeScript("const row = [...document.querySelectorAll("
        + "\".card.account[data-account='paper'] tr\")].find(r => r.cells[0].textContent === 'replay clock'); return row ? row.cells[1].textContent : ''");
  }

  /** The page's own calls so far, {@code "GET /status"} to how many ({@code window.__ordoFetches}). */
  @SuppressWarnings("unchecked")
  Map<String, Object> fetches() {
    return (Map<String, Object>) ((JavascriptExecutor) browser).executeScript("return Object.assign({}, window.__ordoFetches)");
  }

  /** How many {@code GET}s of a path ending with {@code suffix} the page made. */
  long fetched(String suffix) {
    return fetches().entrySet().stream().filter(e -> e.getKey().startsWith("GET ") && e.getKey().endsWith(suffix))
        .mapToLong(e -> ((Number) e.getValue()).longValue()).sum();
  }

  @Test
  @Order(4)
  void aFillArrivingDuringTheTestAppearsWithoutAReload() throws Exception {
    show("blotter");
    ((JavascriptExecutor) browser).executeScript("window.ordoTestMark = 'same page'");
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#fills tbody")));
    Set<String> before = new TreeSet<>();
    for (WebElement row : browser.findElements(By.cssSelector("#fills tbody tr.fill"))) before.add(row.getAttribute("data-trade-id"));
    new WebDriverWait(browser, Duration.ofSeconds(40)).until(d -> d.findElements(By.cssSelector("#fills tbody tr.fill")).stream()
        .anyMatch(row -> !before.contains(row.getAttribute("data-trade-id"))));
    assertEquals("same page", ((JavascriptExecutor) browser).executeScript("return window.ordoTestMark"), "the page was not reloaded");
    screenshot("blotter");
  }

  @Test
  @Order(5)
  void aSymbolChartShowsAMarkerForEachTradeTheEngineLists() throws Exception {
    String instrument = new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> {
      JsonNode trades = trades();
      return trades.isEmpty() ? null : trades.get(0).get("instrument").asText();
    });
    show("symbol");
    new Select(browser.findElement(By.id("symbol-account"))).selectByValue("paper");
    new Select(browser.findElement(By.id("symbol-instrument"))).selectByValue(instrument);
    // the replay goes on: the chart and the engine's list agree once the chart has read the latest trades
    waiting().withMessage(() -> "the engine lists " + expectedMarkers(instrument) + ", the chart " + shownMarkers())
        .until(d -> expectedMarkers(instrument).equals(shownMarkers()));
    assertTrue(Integer.parseInt(browser.findElement(By.id("chart")).getAttribute("data-markers")) >= expectedMarkers(instrument).size(),
        "the chart carries the markers");
    assertTrue(browser.findElement(By.id("chart-note")).getText().matches("\\d+ bar\\(s\\) applied.*"), browser.findElement(By.id("chart-note")).getText());
    assertFalse(browser.findElements(By.cssSelector("#strategy-state tr[data-key='prevLow']")).isEmpty(), "the strategy's state is shown");
    screenshot("symbol");
  }

  JsonNode trades() {
    try {
      return Json.mapper().readTree(send("GET", "/accounts/paper/trades", ADMIN, null).body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The entry and exit of each closed trade of {@code instrument} as {@code GET /accounts/paper/trades} lists them (the report's trades). */
  List<String> expectedMarkers(String instrument) {
    List<String> expected = new ArrayList<>();
    for (JsonNode t : trades())
      if (t.get("instrument").asText().equals(instrument)) {
        expected.add(plain("entry " + t.get("side").asText() + " " + t.get("quantity").asText() + " @ " + t.get("entryPrice").asText()));
        expected.add(plain("exit " + t.get("exitReason").asText() + " @ " + t.get("exitPrice").asText()));
      }
    return expected;
  }

  /** The entry and exit markers the symbol view lists beside its chart. */
  @SuppressWarnings("unchecked")
  List<String> shownMarkers() {
    // read in one go: the view may re-render between two calls of the driver
    List<List<String>> rows = (List<List<String>>) ((JavascriptExecutor) browser).executeScript("return [...document.querySelectorAll("
        + "'#markers tbody tr.entry, #markers tbody tr.exit')].map(r => [r.cells[1].textContent, r.cells[2].textContent])");
    List<String> shown = new ArrayList<>();
    for (List<String> row : rows)
      shown.add(plain(row.get(0).replaceAll(" \\(P&L .*\\)$", "") + " @ " + row.get(1).replace(" INR", "").replace(",", "")));
    return shown;
  }

  /** A price as a number, so {@code 7457.70} and {@code 7457.7} compare equal. */
  static String plain(String marker) {
    int at = marker.lastIndexOf(" @ ");
    return marker.substring(0, at) + " @ " + new java.math.BigDecimal(marker.substring(at + 3)).stripTrailingZeros().toPlainString();
  }

  @Test
  @Order(6)
  void theEventsViewTailsTheJournalWithLinksToTheAuditTrail() throws Exception {
    show("events");
    waiting().until(d -> {
      d.findElement(By.cssSelector("#events tbody tr.event a.audit-link")).click();
      return true;
    });
    WebElement audit = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("audit")));
    waiting().until(d -> !d.findElements(By.cssSelector("#audit-events tbody tr")).isEmpty());
    assertTrue(audit.findElement(By.id("audit-title")).getText().startsWith("Audit trail of "), audit.getText());
    screenshot("events");
  }

  @Test
  @Order(7)
  void aReadTokenSeesNoControlAndItsPostsAreRefused() throws Exception {
    signOut();
    signInWithLink(READER);
    assertEquals("grafana (read)", browser.findElement(By.id("whoami")).getText());
    show("control");
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("control-readonly")));
    assertTrue(browser.findElements(By.cssSelector("#controls button")).isEmpty(), "no control buttons for a read token");
    HttpResponse<String> post = send("POST", "/accounts/paper/halt", READER, null);
    assertEquals(403, post.statusCode(), post.body());
    screenshot("control-read-token");
    signOut();
  }

  @Test
  @Order(8)
  void aHaltFromThePageMakesTheNextRecommendationSkippedAccountHalted() throws Exception {
    HttpResponse<String> created = send("PUT", "/experts/desk", ADMIN, "{\"account\":\"paper\"}");
    assertEquals(201, created.statusCode(), created.body());
    signInWithLink(ADMIN);
    show("control");
    WebElement card = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".card.controls[data-account='paper']")));
    card.findElement(By.cssSelector("button.halt")).click();
    WebElement confirm = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    assertTrue(confirm.getText().contains("Halt account paper?"), confirm.getText());
    browser.findElement(By.id("confirm-ok")).click();
    waiting().until(d -> d.findElement(By.id("control-answer")).getText().startsWith("POST /accounts/paper/halt answered 200"));
    assertTrue(browser.findElement(By.id("control-answer")).getText().contains("\"state\": \"HALTED\""),
        browser.findElement(By.id("control-answer")).getText());
    screenshot("control");

    HttpResponse<String> recommended = send("POST", "/experts/desk/recommendations", ADMIN,
        "{\"recommendations\":[{\"instrument\":\"TCS-EQ\",\"action\":\"BUY\",\"quantity\":1}]}");
    assertEquals(200, recommended.statusCode(), recommended.body());
    JsonNode result = Json.mapper().readTree(recommended.body()).at("/results/0");
    assertEquals("skipped", result.get("status").asText(), recommended.body());
    assertEquals("ACCOUNT_HALTED", result.get("reason").asText(), recommended.body());

    show("experts");
    waiting().until(d -> !d.findElements(By.cssSelector(".card.expert[data-expert='desk'] tr.recommendation[data-reason='ACCOUNT_HALTED']")).isEmpty());
    screenshot("experts");
  }
}
