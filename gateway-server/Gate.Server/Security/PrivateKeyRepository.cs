using System.Xml.Linq;
using Gate.Server.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Gate.Server.Security;

/// <summary>
/// Data-protection keys (they seal every session cookie) as XML files in a 0700 folder, each created 0600.
/// ASP.NET Core's FileSystemXmlRepository creates them with the default mode, limited only by the umask (0644 under 022);
/// otherwise the layout is the same: one "key-{id}.xml" per key, written to a temporary name and moved into place so a
/// reader never sees half a key.
/// </summary>
public sealed class PrivateKeyRepository(DirectoryInfo folder) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        if (!folder.Exists)
        {
            return [];
        }

        return folder.EnumerateFiles("*.xml").Select(f => XElement.Load(f.FullName)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        DataFiles.CreateFolder(folder.FullName);
        var name = string.IsNullOrWhiteSpace(friendlyName) || friendlyName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0
            ? Guid.NewGuid().ToString("D")
            : friendlyName;
        var final = Path.Combine(folder.FullName, name + ".xml");
        var temp = Path.Combine(folder.FullName, Guid.NewGuid().ToString("N") + ".tmp");
        using (var stream = new FileStream(temp, DataFiles.PrivateCreate(FileMode.CreateNew)))
        {
            element.Save(stream);
        }

        File.Move(temp, final, overwrite: false);
    }
}
