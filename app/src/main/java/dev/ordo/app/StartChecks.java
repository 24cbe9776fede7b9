package dev.ordo.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What a command checks before it starts anything, so that a bad option or a bad machine is
 * refused at once with one line instead of after minutes of work: the address it will listen on,
 * the server it will call, the file it will write at the end. (The data directory: {@link DataDirLock}; the journal
 * database: {@code dev.ordo.persistence.JournalCheck}.)
 */
final class StartChecks {

  private StartChecks() {}

  /**
   * Checks that {@code host}:{@code port} can be listened on: the host resolves to an address of
   * this machine and the port (unless 0) is free, by binding it and letting it go.
   *
   * @param hostOption and {@code portOption}: the options to name in the message
   * @throws StartFailure {@link StartFailure#USAGE} when the host does not resolve or is not this
   *     machine's; {@link StartFailure#ENVIRONMENT} when the port is in use or not allowed
   */
  static void listenAddress(String host, int port, String hostOption, String portOption) throws StartFailure {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw StartFailure.usage(hostOption + " " + host + " does not resolve to an address; give one of this machine's addresses, "
          + "e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)");
    }
    if (!isLocal(address)) {
      throw StartFailure.usage(hostOption + " " + host + " is not an address of this machine; give one of its addresses, "
          + "e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)");
    }
    if (port == 0) return;
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(address, port));
    } catch (IOException e) {
      throw listenFailure(host, port, portOption, e);
    }
  }

  /**
   * Refuses to expose the API beyond this machine with only the generated token: binding an address
   * other than a loopback one needs tokens configured on purpose ({@link ApiTokenSource}).
   *
   * @throws StartFailure {@link StartFailure#USAGE} when {@code host} is not a loopback address and
   *     no token was configured
   */
  static void exposedApi(String host, String hostOption, ApiTokenSource.Loaded api) throws StartFailure {
    if (api.generatedFile() == null) return;
    try {
      if (InetAddress.getByName(host).isLoopbackAddress()) return;
    } catch (UnknownHostException e) {
      return; // listenAddress says so
    }
    throw StartFailure.usage(hostOption + " " + host + " would open the API beyond this machine with only the generated token; configure "
        + "tokens first (ORDO_API_TOKEN, or ordo.http.tokens-file: see docs/operations.md) or bind 127.0.0.1");
  }

  /** The one-line refusal for a failed bind of {@code host}:{@code port} (by the check or, later, by the server itself). */
  static StartFailure listenFailure(String host, int port, String portOption, Throwable cause) {
    String where = "cannot listen on " + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    String reason = String.valueOf(cause.getMessage());
    if (reason.contains("Address already in use"))
      return StartFailure.environment(where + ": the port is in use by another program; choose another " + portOption
          + " (0 picks a free one) or stop that program", cause);
    if (reason.contains("Permission denied") || reason.contains("Access denied"))
      return StartFailure.environment(where + ": permission denied (ports below 1024 need privileges); choose another " + portOption, cause);
    return StartFailure.environment(where + " (" + reason.replaceFirst("^\\[[^]]*]\\s*", "") + "); choose another address or "
        + portOption, cause);
  }

  private static boolean isLocal(InetAddress address) {
    if (address.isAnyLocalAddress() || address.isLoopbackAddress()) return true;
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return true; // cannot tell: the bind decides
    }
  }

  /**
   * Checks that the server of {@code url} accepts a TCP connection within {@code timeout} (a
   * broker that is down is refused at the start rather than retried until a login timeout).
   *
   * @param option the option to name in the message
   * @throws StartFailure {@link StartFailure#USAGE} when {@code url} is not an http(s) URL with a host,
   *     or the host does not resolve; {@link StartFailure#ENVIRONMENT} when the connection is refused
   *     or not answered in time
   */
  static void reachable(String url, String option, Duration timeout) throws StartFailure {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw StartFailure.usage(option + " " + url + " is not a URL (" + e.getReason() + "); give one such as http://127.0.0.1:8090");
    }
    String scheme = String.valueOf(uri.getScheme()).toLowerCase(java.util.Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https")))
      throw StartFailure.usage(option + " " + url + " is not an http(s) URL with a host; give one such as http://127.0.0.1:8090");
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    InetAddress address;
    try {
      address = InetAddress.getByName(uri.getHost());
    } catch (UnknownHostException e) {
      throw StartFailure.usage(option + " " + url + ": host " + uri.getHost() + " does not resolve; fix " + option);
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
    } catch (SocketTimeoutException e) {
      throw StartFailure.environment("cannot reach " + url + " (no answer within " + timeout.toMillis() + " ms); check " + option
          + " and that the server is up", e);
    } catch (IOException e) {
      String reason = e instanceof java.net.ConnectException ? "connection refused" : String.valueOf(e.getMessage());
      throw StartFailure.environment("cannot reach " + url + " (" + reason + "); check " + option + " and that the server is up", e);
    }
  }

  /**
   * Checks that a report can be written at {@code report} when the run ends: its folder exists and
   * takes a new file (the report is written to a temporary file there, then renamed).
   *
   * @param option the option to name in the message
   * @throws StartFailure {@link StartFailure#USAGE} when the path is a folder or its folder is
   *     missing or a file; {@link StartFailure#ENVIRONMENT} when the folder cannot be written
   */
  static void reportFile(Path report, String option) throws StartFailure {
    Path file = report.toAbsolutePath().normalize();
    if (Files.isDirectory(file))
      throw StartFailure.usage(option + " " + file + " is a folder; give a file name, e.g. " + file.resolve("report.json"));
    Path folder = file.getParent();
    if (!Files.isDirectory(folder)) {
      throw StartFailure.usage(option + " " + file + " cannot be written: " + (Files.exists(folder) ? folder + " is a file, not a folder"
          : "its folder " + folder + " does not exist") + "; fix " + option + " or create the folder first");
    }
    try {
      Files.delete(Files.createTempFile(folder, ".report", ".json"));
    } catch (IOException e) {
      throw StartFailure.environment(option + " " + file + " cannot be written (" + reason(e) + "); give this user write access to " + folder
          + " or choose another " + option, e);
    }
  }

  /** A short reason for a file-system error: "permission denied", "Read-only file system", "No space left on device", ... */
  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) return "permission denied";
    if (e instanceof NoSuchFileException) return "no such file or folder";
    if (e instanceof FileSystemException fs && fs.getReason() != null) return fs.getReason();
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
