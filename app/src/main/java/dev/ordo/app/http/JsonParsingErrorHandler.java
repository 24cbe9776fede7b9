package dev.ordo.app.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers a request that Pekko HTTP cannot parse (414 URI too long, 431 header too large, 400 bad
 * request line or header, ...) with the API's JSON error {@code {"error": ..., "detail": ...}}
 * instead of plain text, and counts it for the periodic summary ({@link MalformedRequests}) instead
 * of logging a WARN per request. Named in {@code pekko.http.server.parsing.error-handler}; Pekko
 * creates one per connection.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    MalformedRequests.record(status, info);
    String body;
    try {
      body = Json.mapper().writeValueAsString(new Json.Error(status.reason(), info.summary()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      body = "{\"error\":\"Bad Request\"}";
    }
    return HttpResponse.create().withStatus(status.intValue()).withEntity(ContentTypes.APPLICATION_JSON, body);
  }
}
