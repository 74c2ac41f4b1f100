namespace Gate.Provisioning.Tests;

public class BoardCatalogTests
{
    private static readonly string DevKitC = File.ReadAllText(Path.Combine(TestPaths.Boards, "esp32-devkitc.json"));

    [Fact]
    public void Catalog_RepositoryBoardFiles_LoadsBothSupportedBoardsWithoutErrors()
    {
        var catalog = BoardCatalog.Load(TestPaths.Boards);

        Assert.Empty(catalog.Errors);
        var ids = catalog.Boards.Select(b => b.Id).ToList();
        Assert.Contains("esp32-devkitc", ids);
        Assert.Contains("olimex-esp32-poe-iso", ids);
        Assert.All(catalog.Boards, b => Assert.False(string.IsNullOrEmpty(b.NanoffTarget)));
        Assert.Equal("ethernet", catalog.Boards.Single(b => b.Id == "olimex-esp32-poe-iso").Network);
    }

    [Fact]
    public void Catalog_EveryRepositoryBoard_HasAProvisioningProfile()
    {
        var catalog = BoardCatalog.Load(TestPaths.Boards);

        Assert.All(catalog.Boards, b => Assert.NotNull(b.Profile));
    }

    [Fact]
    public void TryGet_UnknownBoard_NamesTheBoardAndListsTheKnownOnes()
    {
        var catalog = BoardCatalog.Load(TestPaths.Boards);

        Assert.False(catalog.TryGet("esp32-devkit", out _, out var error));

        Assert.Contains("unknown board 'esp32-devkit'", error);
        Assert.Contains("esp32-devkitc", error);
        Assert.Contains("olimex-esp32-poe-iso", error);
    }

    [Fact]
    public void Load_BoardFileUsingAPinTwice_IsRefusedNamingThePinAndBothFunctions()
    {
        var folder = TestPaths.NewTempFolder();
        // led moved onto the buzzer's pin.
        File.WriteAllText(Path.Combine(folder, "esp32-devkitc.json"), DevKitC.Replace("\"led\": 4", "\"led\": 17"));

        var catalog = BoardCatalog.Load(folder);

        Assert.Empty(catalog.Boards);
        var error = Assert.Single(catalog.Errors);
        Assert.Contains("esp32-devkitc.json", error);
        Assert.Contains("GPIO17", error);
        Assert.Contains("already used by", error);
        Assert.False(catalog.TryGet("esp32-devkitc", out _, out var lookup));
        Assert.Contains("unusable", lookup);
        Assert.Contains("GPIO17", lookup);
    }

    [Fact]
    public void Load_BoardFileUsingAPinTheBoardLacks_IsRefusedNamingThePin()
    {
        var folder = TestPaths.NewTempFolder();
        // GPIO 24 does not exist on the ESP32.
        File.WriteAllText(Path.Combine(folder, "esp32-devkitc.json"), DevKitC.Replace("\"buzzer\": 17", "\"buzzer\": 24"));

        var catalog = BoardCatalog.Load(folder);

        var error = Assert.Single(catalog.Errors);
        Assert.Contains("buzzer", error);
        Assert.Contains("GPIO24", error);
    }

    [Fact]
    public void Load_BoardNameDifferentFromFileName_IsRefused()
    {
        var folder = TestPaths.NewTempFolder();
        File.WriteAllText(Path.Combine(folder, "my-board.json"), DevKitC);

        var catalog = BoardCatalog.Load(folder);

        Assert.Contains("does not match the file name", Assert.Single(catalog.Errors));
    }

    [Fact]
    public void Load_MalformedBoardFile_IsRefusedAndTheOthersStillLoad()
    {
        var folder = TestPaths.NewTempFolder();
        File.WriteAllText(Path.Combine(folder, "esp32-devkitc.json"), DevKitC);
        File.WriteAllText(Path.Combine(folder, "broken.json"), "{ \"board\": ");

        var catalog = BoardCatalog.Load(folder);

        Assert.Equal(["esp32-devkitc"], catalog.Boards.Select(b => b.Id));
        Assert.StartsWith("broken.json:", Assert.Single(catalog.Errors));
    }

    [Fact]
    public void Load_MissingFolder_ReportsTheFolder()
    {
        var catalog = BoardCatalog.Load(Path.Combine(TestPaths.NewTempFolder(), "nope"));

        Assert.Empty(catalog.Boards);
        Assert.Contains("does not exist", Assert.Single(catalog.Errors));
        Assert.False(catalog.TryGet("esp32-devkitc", out _, out var error));
        Assert.Contains("Provisioning:BoardsPath", error);
    }
}
