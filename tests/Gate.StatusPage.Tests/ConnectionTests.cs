namespace Gate.StatusPage.Tests;

/// <summary>A page that silently stopped updating would mislead a duty officer: it must say so.</summary>
[Trait("Category", "Integration")]
public sealed class ConnectionTests
{
    [Fact]
    public async Task Page_ServerStops_SaysTheConnectionIsLost()
    {
        await using var browser = await Browser.LaunchAsync();
        var host = StatusPageSite.NewHost();
        try
        {
            StatusPageSite.Start(host);
            var page = await browser.SignedInPageAsync(host.BaseAddress, "admin", StatusPageSite.AdminPassword);
            await page.WaitForSelectorAsync("#live-indicator[data-state=\"live\"]");
            Assert.True(await page.IsHiddenAsync("#conn-banner"));

            await host.DisposeAsync();

            await page.WaitForSelectorAsync("#conn-banner:not([hidden])");
            Assert.Contains("连接已断开", await page.InnerTextAsync("#conn-banner"));
            Assert.Equal("lost", await page.GetAttributeAsync("#live-indicator", "data-state"));
            await Browser.ScreenshotAsync(page, "connection-lost-zh");
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
