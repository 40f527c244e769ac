package dev.streambard.cli;

import dev.streambard.model.EpochMetrics;
import dev.streambard.model.Trainer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Training progress on standard error: a bar redrawn in place on a terminal, a line every few seconds
 * otherwise (logs stay readable), and an epoch summary line.
 */
final class ProgressBar implements Trainer.Listener {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final int epochs;
    private final boolean terminal;
    private final long intervalNanos;
    private final long charsPerBatch;
    private long lastDraw;

    ProgressBar(PrintStream out, int epochs, long charsPerBatch, boolean terminal) {
        this.out = out;
        this.epochs = epochs;
        this.charsPerBatch = charsPerBatch;
        this.terminal = terminal;
        this.intervalNanos = terminal ? 200_000_000L : 10_000_000_000L;
    }

    @Override
    public void batchDone(int epoch, int batch, int batches, double meanLoss, double charsPerSecond) {
        long now = System.nanoTime();
        if (batch < batches && now - lastDraw < intervalNanos) return;
        lastDraw = now;
        double fraction = (double) batch / batches;
        int filled = (int) Math.round(fraction * WIDTH);
        double secondsLeft = charsPerSecond > 0 ? (double) (batches - batch) * charsPerBatch / charsPerSecond : 0;
        String line = String.format(Locale.ROOT, "epoch %d/%d [%s%s] %3.0f%% loss %.4f %,.0f chars/s %s left",
                epoch, epochs, "=".repeat(filled), " ".repeat(WIDTH - filled), fraction * 100, meanLoss,
                charsPerSecond, format(secondsLeft));
        out.print(terminal ? "\r" + line : line + "\n");
        out.flush();
    }

    @Override
    public void epochDone(EpochMetrics m, boolean best, boolean stopping) {
        if (terminal) out.print("\r" + " ".repeat(100) + "\r");
        out.printf(Locale.ROOT, "epoch %d: train loss %.4f, held-out loss %.4f%s, %,.0f chars/s, %s%n",
                m.epoch(), m.trainLoss(), m.validationLoss(), best ? " (best)" : "", m.charsPerSecond(),
                format(m.seconds()));
        out.flush();
    }

    static String format(double seconds) {
        Duration d = Duration.ofSeconds(Math.round(seconds));
        if (d.toHours() > 0) return String.format(Locale.ROOT, "%dh%02dm", d.toHours(), d.toMinutesPart());
        if (d.toMinutes() > 0) return String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart());
        return d.toSeconds() + "s";
    }
}
