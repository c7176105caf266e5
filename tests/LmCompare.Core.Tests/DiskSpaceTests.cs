using LmCompare.Core;
using LmCompare.Tests;

namespace LmCompare.Core.Tests;

public class DiskSpaceTests
{
    [Fact]
    public void Require_MoreThanTheDiskHas_RefusesNamingBothSizes()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<InputException>(() => DiskSpace.Require(temp.Path, long.MaxValue / 2, "a test build"));

        Assert.Contains(temp.Path, error.Message);
        Assert.Matches(@"needs about [\d.]+ GB of disk, [\d.]+ GB free", error.Message);
    }

    [Fact]
    public void Require_LittleEnough_Passes() => DiskSpace.Require(Path.GetTempPath(), 1, "a test build");

    [Theory]
    [InlineData(28, "x", true)]   // ENOSPC as .NET reports it on Linux
    [InlineData(0, "No space left on device : '/tmp/a'", true)]
    [InlineData(2, "Could not find file", false)]
    public void IsDiskFull_ByErrnoOrMessage(int errno, string message, bool expected) =>
        Assert.Equal(expected, DiskSpace.IsDiskFull(new IOException(message, errno)));
}
