package dev.vsched.eval;

import dev.vsched.eval.Comparison.Metric;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.renderer.category.IntervalBarRenderer;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.category.DefaultIntervalCategoryDataset;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG plots next to the report (JFreeChart, headless): per experiment, the ratio of each arm to
 * default per metric with its 95% bootstrap interval, and the wake-up latency CDF of each arm.
 */
final class Plots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    static final int WIDTH = 900;
    static final int HEIGHT = 520;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private Plots() {
    }

    /**
     * Per metric one bar per arm spanning the 95% bootstrap interval of its ratio to default (the
     * per-round range with fewer than 3 rounds), a black tick at the estimate (geometric mean of the
     * per-round ratios), a line at 1 for default: a bar clear of the line is a resolved difference.
     * Empty if no metric has a ratio.
     */
    static Optional<Path> ratios(String experiment, Comparison c, Path file) throws IOException {
        List<String> arms = c.challengers();
        List<Metric> metrics = new ArrayList<>();
        for (Metric m : Metric.values()) {
            if (arms.stream().anyMatch(a -> c.summary(m, a).isPresent())) {
                metrics.add(m);
            }
        }
        if (metrics.isEmpty()) {
            return Optional.empty();
        }
        Number[][] lo = new Number[arms.size()][metrics.size()];
        Number[][] hi = new Number[arms.size()][metrics.size()];
        DefaultCategoryDataset est = new DefaultCategoryDataset();
        double min = 1;
        double max = 1;
        String[] cats = new String[metrics.size()];
        for (int j = 0; j < metrics.size(); j++) {
            Metric m = metrics.get(j);
            cats[j] = m.shortLabel + (m.higherIsBetter ? " (higher better)" : " (lower better)");
        }
        for (int i = 0; i < arms.size(); i++) {
            for (int j = 0; j < metrics.size(); j++) {
                Optional<Comparison.Summary> s = c.summary(metrics.get(j), arms.get(i));
                if (s.isPresent()) {
                    Bootstrap.Interval ci = s.get().interval();
                    double l = ci.present() ? ci.lo() : s.get().minRoundRatio();
                    double h = ci.present() ? ci.hi() : s.get().maxRoundRatio();
                    // a bar of no height (identical rounds) still shows: 0.4% of the ratio at least
                    double pad = Math.max(0, 0.004 * ci.estimate() - (h - l)) / 2;
                    lo[i][j] = l - pad;
                    hi[i][j] = h + pad;
                    min = Math.min(min, l - pad);
                    max = Math.max(max, h + pad);
                    est.addValue(ci.estimate(), arms.get(i), cats[j]);
                } else {
                    est.addValue(null, arms.get(i), cats[j]);
                }
            }
        }
        DefaultIntervalCategoryDataset band = new DefaultIntervalCategoryDataset(arms.toArray(new String[0]), cats, lo, hi);
        CategoryAxis x = new CategoryAxis();
        ValueAxis y;
        if (max / min > 3) {
            // ratios spanning more than 3x: a log axis (base 2), on which 0.5 and 2 lie as far from 1
            LogAxis log = new LogAxis("ratio to default (log scale)");
            log.setBase(2);
            log.setTickUnit(new NumberTickUnit(1));
            log.setNumberFormatOverride(new java.text.DecimalFormat("0.###"));
            log.setRange(min / 1.25, max * 1.25);
            y = log;
        } else {
            NumberAxis lin = new NumberAxis("ratio to default");
            double margin = Math.max(0.02, (max - min) * 0.08);
            lin.setRange(Math.max(0, min - margin), max + margin);
            y = lin;
        }
        IntervalBarRenderer r = new IntervalBarRenderer();
        r.setShadowVisible(false);
        r.setDrawBarOutline(false);
        r.setBarPainter(new StandardBarPainter());
        r.setItemMargin(0.10);
        LineAndShapeRenderer dots = new LineAndShapeRenderer(false, true);
        dots.setUseSeriesOffset(true);
        dots.setItemMargin(0.10);
        for (int i = 0; i < arms.size(); i++) {
            Color col = COLORS[(i + 1) % COLORS.length];
            r.setSeriesPaint(i, new Color(col.getRed(), col.getGreen(), col.getBlue(), 150));
            dots.setSeriesPaint(i, Color.BLACK);
            dots.setSeriesShape(i, new java.awt.geom.Rectangle2D.Double(-9, -1.5, 18, 3));
            dots.setSeriesVisibleInLegend(i, false);
        }
        CategoryPlot plot = new CategoryPlot(band, x, y, r);
        plot.setDataset(1, est);
        plot.setRenderer(1, dots);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ValueMarker one = new ValueMarker(1.0, Color.DARK_GRAY, new BasicStroke(2f));
        one.setLabel("default = 1");
        one.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        one.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
        one.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_LEFT);
        plot.addRangeMarker(one);
        x.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        JFreeChart chart = new JFreeChart(experiment + ": each arm's ratio to default", JFreeChart.DEFAULT_TITLE_FONT,
                plot, true);
        chart.addSubtitle(new TextTitle(c.rounds() >= Bootstrap.MIN_ROUNDS
                ? "bar: 95% bootstrap interval over " + c.rounds() + " rounds; black tick: geometric mean of the"
                        + " per-round ratios. " + (c.rounds() >= Bootstrap.MIN_ROUNDS_VERDICT
                                ? "A bar clear of the line at 1 is a resolved difference."
                                : "Under " + Bootstrap.MIN_ROUNDS_VERDICT + " rounds: no verdict.")
                : "bar: range of the " + c.rounds() + " per-round ratios (too few rounds for an interval);"
                        + " black tick: their geometric mean",
                new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return Optional.of(file);
    }

    /**
     * Step lines: per arm, the fraction of wake-ups (all its runs merged) at or below each latency, on a
     * log latency axis. A curve that ends below 1 had samples past cyclictest's histogram. Empty without
     * cyclictest.
     */
    static Optional<Path> wakeupCdf(String experiment, Comparison c, Path file) throws IOException {
        XYSeriesCollection ds = new XYSeriesCollection();
        List<String> arms = new ArrayList<>();
        for (String arm : c.arms()) {
            Optional<CyclictestHistogram> h = c.wakeups(arm);
            if (h.isEmpty()) {
                continue;
            }
            XYSeries s = new XYSeries(arm + " (" + h.get().samples() + " wake-ups)", true, false);
            for (double[] p : h.get().cdf()) {
                s.add(Math.max(1, p[0]), p[1]);
            }
            if (!s.isEmpty()) {
                ds.addSeries(s);
                arms.add(arm);
            }
        }
        if (arms.isEmpty()) {
            return Optional.empty();
        }
        LogAxis x = new LogAxis("wake-up latency (us, log scale)");
        x.setSmallestValue(1);
        x.setTickUnit(new NumberTickUnit(1)); // one tick per decade: 1, 10, 100 ... us
        x.setNumberFormatOverride(new java.text.DecimalFormat("0"));
        x.setMinorTickCount(9);
        x.setMinorTickMarksVisible(true);
        NumberAxis y = new NumberAxis("fraction of wake-ups at or below");
        y.setRange(0, 1.02);
        XYStepRenderer r = new XYStepRenderer();
        for (int i = 0; i < arms.size(); i++) {
            r.setSeriesPaint(i, COLORS[c.arms().indexOf(arms.get(i)) % COLORS.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        XYPlot plot = new XYPlot(ds, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (double q : new double[] {0.95, 0.99}) {
            ValueMarker mk = new ValueMarker(q, Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
            mk.setLabel("p" + Math.round(q * 100));
            mk.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.LEFT);
            mk.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_LEFT);
            mk.setLabelOffset(new org.jfree.chart.ui.RectangleInsets(2, 4, 2, 4));
            plot.addRangeMarker(mk);
        }
        JFreeChart chart = new JFreeChart(experiment + ": cyclictest wake-up latency per arm",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new TextTitle("all runs of each arm merged; a curve ending below 1: samples past the"
                + " histogram's last bucket", new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return Optional.of(file);
    }
}
