using System.Diagnostics;
using LmCompare.Evaluation.Reports;
using LmCompare.Tests;

namespace LmCompare.Evaluation.Tests;

/// <summary>
/// Renders report.html in a real browser (headless Chromium, Debian package <c>chromium</c>; tests/run.sh installs it):
/// a desktop screenshot, and the DOM after load at a phone's width with a probe script added to a copy of the page,
/// asserting every section is there, every image decoded, and nothing wider than the screen.
/// </summary>
[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
public class BrowserCheckTests
{
    private static readonly string[] KnownPaths = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

    private static string Chromium() =>
        Environment.GetEnvironmentVariable("LMC_CHROMIUM") is { Length: > 0 } configured ? configured
        : KnownPaths.FirstOrDefault(File.Exists)
          ?? throw new InvalidOperationException("Chromium not found: install the Debian package 'chromium' (tests/run.sh does) or set LMC_CHROMIUM");

    private static string Run(string chromium, string profile, params string[] arguments)
    {
        var info = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}" }.Concat(arguments)) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) { process.Kill(entireProcessTree: true); Assert.Fail("chromium did not finish in 120 s"); }
        Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    [Fact]
    public void Chromium_RendersTheReport_AllSectionsAndImages()
    {
        using var temp = new TempDirectory();
        string folder = ReportWriter.Write(ReportFixture.TinyReport(temp), temp.Combine("report"));
        string chromium = Chromium();
        string page = Path.Combine(folder, "report.html");

        string screenshot = temp.Combine("desktop.png");
        Run(chromium, temp.Combine("profile1"), "--window-size=1200,3000", $"--screenshot={screenshot}", new Uri(page).AbsoluteUri);
        var png = File.ReadAllBytes(screenshot);
        Assert.True(png.Length > 50_000, $"screenshot of {png.Length} bytes: the page did not render");

        const string Probe = """
            <script>window.addEventListener("load", () => {
              const images = [...document.images];
              document.body.setAttribute("data-images", images.length);
              document.body.setAttribute("data-decoded", images.filter(i => i.complete && i.naturalWidth > 0).length);
              document.body.setAttribute("data-overflow", document.documentElement.scrollWidth - window.innerWidth);
              document.body.setAttribute("data-sections", [...document.querySelectorAll("section")].map(s => s.id).join(","));
            });</script>
            """;
        string probed = temp.Combine("probed.html");
        File.WriteAllText(probed, File.ReadAllText(page).Replace("</body>", Probe + "</body>"));
        string dom = Run(chromium, temp.Combine("profile2"), "--window-size=390,844", "--virtual-time-budget=5000", "--dump-dom",
            new Uri(probed).AbsoluteUri);
        var body = System.Text.RegularExpressions.Regex.Match(dom, "<body([^>]*)>").Groups[1].Value;
        string Attribute(string name) => System.Text.RegularExpressions.Regex.Match(body, $"{name}=\"([^\"]*)\"").Groups[1].Value;

        Assert.Equal("5", Attribute("data-images"));
        Assert.Equal("5", Attribute("data-decoded"));
        foreach (string id in HtmlReport.SectionIds) Assert.Contains(id, Attribute("data-sections").Split(','));
        Assert.True(int.Parse(Attribute("data-overflow")) <= 0, $"the page is {Attribute("data-overflow")} px wider than a 390 px phone screen");
    }
}
