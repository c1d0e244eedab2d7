package io.dockercleaner.api;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection cap applied where connections are accepted, on the acceptor thread: beyond the
 * cap a new connection's file handle is closed at once, before any other work. {@link
 * ConnectionLimits} caps connections too, but only once the event loop gets to them; a burst of
 * thousands of connects outpaces that loop, and the accepted-but-not-yet-closed handles alone can
 * reach the process's limit ({@code accept: Too many open files}) and starve the agent's own work.
 *
 * <p>Vert.x has no public hook at accept; its transport SPI may configure the server bootstrap,
 * so {@link #transport} wraps the platform transport and adds this gate to every server channel.
 * The Vertx instance of the command-line program is built with it: it serves the HTTP API only.
 */
@ChannelHandler.Sharable
public final class AcceptGate extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(AcceptGate.class);
  private static final Duration REFUSAL_LOG_INTERVAL = Duration.ofMinutes(1);

  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong refusedLogged = new AtomicLong();
  private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL.toNanos());

  AcceptGate(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  /**
   * The native transport when available (else NIO), with connections capped at accept to {@link
   * ConnectionLimits#defaultMaxConnections()}.
   */
  public static Transport transport() {
    Transport base = Transport.nativeTransport();
    if (base == null || !base.available()) {
      base = Transport.NIO;
    }
    return wrap(base, new AcceptGate(ConnectionLimits.defaultMaxConnections()));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Channel child) {
      if (open.incrementAndGet() > maxConnections) {
        open.decrementAndGet();
        refused.incrementAndGet();
        child.unsafe().closeForcibly(); // not registered yet: closes the handle here and now
        logRefusals();
        return;
      }
      child.closeFuture().addListener(f -> open.decrementAndGet());
    }
    ctx.fireChannelRead(msg);
  }

  private void logRefusals() {
    long now = System.nanoTime();
    long last = lastLogNanos.get();
    if (now - last >= REFUSAL_LOG_INTERVAL.toNanos() && lastLogNanos.compareAndSet(last, now)) {
      long total = refused.get();
      LOG.warn("HTTP API: {} connections are open, the most allowed; refused {} more at accept (closed at once;"
          + " reported at most once a minute)", maxConnections, total - refusedLogged.getAndSet(total));
    }
  }

  private static Transport wrap(Transport base, AcceptGate gate) {
    io.vertx.core.spi.transport.Transport spi = base.implementation();
    io.vertx.core.spi.transport.Transport gated = new io.vertx.core.spi.transport.Transport() {
      @Override
      public boolean supportsDomainSockets() {
        return spi.supportsDomainSockets();
      }

      @Override
      public boolean supportFileRegion() {
        return spi.supportFileRegion();
      }

      @Override
      public boolean isAvailable() {
        return spi.isAvailable();
      }

      @Override
      public Throwable unavailabilityCause() {
        return spi.unavailabilityCause();
      }

      @Override
      public java.net.SocketAddress convert(io.vertx.core.net.SocketAddress address) {
        return spi.convert(address);
      }

      @Override
      public io.vertx.core.net.SocketAddress convert(java.net.SocketAddress address) {
        return spi.convert(address);
      }

      @Override
      public IoHandlerFactory ioHandlerFactory() {
        return spi.ioHandlerFactory();
      }

      @Override
      public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory factory, int ioRatio) {
        return spi.eventLoopGroup(type, threads, factory, ioRatio);
      }

      @Override
      public DatagramChannel datagramChannel() {
        return spi.datagramChannel();
      }

      @Override
      public DatagramChannel datagramChannel(InternetProtocolFamily family) {
        return spi.datagramChannel(family);
      }

      @Override
      public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
        return spi.channelFactory(domainSocket);
      }

      @Override
      public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
        return spi.serverChannelFactory(domainSocket);
      }

      @Override
      public void configure(DatagramChannel channel, DatagramSocketOptions options) {
        spi.configure(channel, options);
      }

      @Override
      public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
        spi.configure(options, connectTimeout, domainSocket, bootstrap);
      }

      @Override
      public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
        spi.configure(options, domainSocket, bootstrap);
        bootstrap.handler(gate);
      }
    };
    return new Transport() {
      @Override
      public String name() {
        return base.name();
      }

      @Override
      public boolean available() {
        return base.available();
      }

      @Override
      public Throwable unavailabilityCause() {
        return base.unavailabilityCause();
      }

      @Override
      public io.vertx.core.spi.transport.Transport implementation() {
        return gated;
      }
    };
  }
}
