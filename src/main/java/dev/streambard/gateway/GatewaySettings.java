package dev.streambard.gateway;

import dev.streambard.stream.ServiceConfig;
import dev.streambard.stream.TopicNames;

/**
 * What the gateway needs to know: where to listen, how much to keep for reconnecting clients, the service's
 * topics, and the largest {@code maxChars} the service accepts (so a request that asks for more is refused
 * at once, with a 400, instead of as an ERROR chunk).
 */
public record GatewaySettings(String bind, int port, int replayChunks, int replaySessions, int clientBuffer, int maxChars,
                              TopicNames topics) {

    public static GatewaySettings from(ServiceConfig c) {
        return new GatewaySettings(c.getString(ServiceConfig.HTTP_BIND), c.getInt(ServiceConfig.HTTP_PORT),
                c.getInt(ServiceConfig.HTTP_REPLAY_CHUNKS), c.getInt(ServiceConfig.HTTP_REPLAY_SESSIONS),
                c.getInt(ServiceConfig.HTTP_CLIENT_BUFFER), c.getInt(ServiceConfig.MAX_CHARS), c.topics());
    }

    public GatewaySettings withPort(int newPort) {
        return new GatewaySettings(bind, newPort, replayChunks, replaySessions, clientBuffer, maxChars, topics);
    }
}
