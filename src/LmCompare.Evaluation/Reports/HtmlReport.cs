using System.Net;
using System.Text;

namespace LmCompare.Evaluation.Reports;

/// <summary>
/// <c>report.html</c>: one self-contained page (styles inline, plots as data URIs, no script, no network), readable on a
/// phone (viewport meta, tables scroll sideways, images scale down). Sections carry ids the browser check looks for.
/// </summary>
public static class HtmlReport
{
    public static readonly string[] SectionIds = ["verdict", "results", "document", "novelty", "sparsity", "growth", "storage", "vectors", "curves",
        "plots", "settings"];

    private const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;max-width:1000px;margin:0 auto;padding:12px;
             color:#1b1b1b;line-height:1.45;overflow-wrap:anywhere}
        h1{font-size:1.5em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
        .verdict{background:#f3f7ff;border-left:4px solid #3567d6;padding:8px 14px}.verdict li{margin:.35em 0}
        .scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.9em;margin:.5em 0}
        th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;white-space:nowrap}th{background:#f5f5f5}
        td:first-child,th:first-child{text-align:left}p.note{color:#555;font-size:.9em}
        figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#555;font-size:.9em}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}dt{font-weight:600}dd{margin:0}
        """;

    public static string Render(EvaluationReport report, IReadOnlyList<PlotImage> plots)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.AppendLine($"<title>{E(report.Corpus)}: LmCompare report</title><style>{Style}</style></head><body>");
        html.AppendLine($"<h1>{E(report.Corpus)}: pair-distance counting, Kneser-Ney and a small GPT</h1>");
        html.AppendLine("<section id=\"verdict\"><h2>Verdict</h2><ul class=\"verdict\">");
        foreach (string line in report.Verdict) html.AppendLine($"<li>{E(line)}</li>");
        html.AppendLine("</ul></section>");
        foreach (var table in ReportTables.For(report)) AppendTable(html, table);
        html.AppendLine("<section id=\"plots\"><h2>Plots</h2>");
        foreach (var plot in plots)
            html.AppendLine($"<figure><img alt=\"{E(plot.Title)}\" " +
                $"src=\"data:image/png;base64,{Convert.ToBase64String(plot.Png)}\"><figcaption><b>{E(plot.Title)}.</b> " +
                $"{E(plot.Caption)}</figcaption></figure>");
        html.AppendLine("</section><section id=\"settings\"><h2>Settings and versions</h2><dl>");
        foreach (var (key, value) in ReportSettings.Lines(report)) html.AppendLine($"<dt>{E(key)}</dt><dd>{E(value)}</dd>");
        html.AppendLine("</dl></section></body></html>");
        return html.ToString();
    }

    private static void AppendTable(StringBuilder html, ReportTable table)
    {
        html.AppendLine($"<section id=\"{table.Id}\"><h2>{E(table.Title)}</h2><p class=\"note\">{E(table.Note)}</p><div " +
            $"class=\"scroll\"><table><thead><tr>");
        foreach (string h in table.Header) html.Append($"<th>{E(h)}</th>");
        html.AppendLine("</tr></thead><tbody>");
        foreach (var row in table.Rows) html.AppendLine("<tr>" + string.Concat(row.Select(c => $"<td>{E(c)}</td>")) + "</tr>");
        html.AppendLine("</tbody></table></div></section>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
