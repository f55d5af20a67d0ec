package dev.kquorum.cli.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A latency percentile plot of a run, as a PNG: one curve per scenario, latency against the
 * percentile on a log scale of 1/(1 - p), so that p90, p99 and p99.9 sit a decade apart and the
 * tail is as wide as the median; baselines dashed. People read such a curve faster than a table.
 */
final class PercentilePlot {

    /** Beyond p99.99 a short phase has too few samples to mean anything. */
    private static final double LAST_PERCENTILE = 99.99;

    private PercentilePlot() {
    }

    /** Writes the curves of {@code results} to {@code png}. */
    static void write(Path png, String title, List<Result> results) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(620).title(title)
                .xAxisTitle("percentile, as 1/(1-p): 10 = p90, 100 = p99, 1000 = p99.9").yAxisTitle("latency, ms").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisMin(1.0);
        for (Result r : results) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (HistogramIterationValue v : r.histogram().percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo();
                if (p > LAST_PERCENTILE) {
                    break;
                }
                x.add(100.0 / (100.0 - p));
                y.add(v.getValueIteratedTo() / 1000.0);
            }
            if (!x.isEmpty()) {
                XYSeries series = chart.addSeries(r.name(), x, y);
                series.setMarker(SeriesMarkers.NONE);
                if (r.name().startsWith("baseline")) {
                    series.setLineStyle(SeriesLines.DASH_DASH);
                }
            }
        }
        String file = png.toString();
        BitmapEncoder.saveBitmap(chart, file.endsWith(".png") ? file.substring(0, file.length() - 4) : file,
                BitmapEncoder.BitmapFormat.PNG);
    }
}
