package dev.ordo.app;

import com.typesafe.config.Config;
import dev.ordo.app.http.ApiTokens;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * Who may call the API and over what: its tokens ({@link ApiTokenSource}) and, when configured, its
 * TLS context ({@link TlsSettings}), checked together against the address it binds.
 *
 * @param tokens         the accepted tokens
 * @param generatedToken the data directory's generated token file, or null when tokens are configured
 * @param tls            the server's TLS context, or null for plain HTTP
 */
public record HttpAccess(ApiTokens tokens, Path generatedToken, SSLContext tls) {

  /**
   * Loads the tokens and TLS of {@code config} for an API bound to {@code host}, releasing the data
   * directory's {@code lock} when it refuses (nothing else has started then).
   *
   * @throws StartFailure as {@link ApiTokenSource#load}, {@link TlsSettings#serverContext} and
   *     {@link StartChecks#exposedApi} refuse
   */
  static HttpAccess load(Config config, Path dataDir, Map<String, String> environment, String host, String hostOption, DataDirLock lock)
      throws StartFailure {
    try {
      ApiTokenSource.Loaded api = ApiTokenSource.load(config, dataDir, environment);
      StartChecks.exposedApi(host, hostOption, api);
      return new HttpAccess(api.tokens(), api.generatedFile(), TlsSettings.serverContext(config));
    } catch (StartFailure e) {
      lock.close();
      throw e;
    }
  }
}
