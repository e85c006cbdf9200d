using System.Text;

namespace Orleans.Mail.Cli;

/// <summary>
/// <c>orleans-mail samples</c>: writes a recipient list with a realistic provider mix (about 30% Gmail,
/// 15% Microsoft, 10% Yahoo/AOL, 5% Apple, 15% regional providers, the rest small company domains, a few
/// internationalised domains), plus a few bad rows and case-variant duplicates. Deterministic for a seed.
/// </summary>
public static class SampleListCommand
{
    private static readonly (string[] Domains, int Weight)[] Providers =
    [
        (["gmail.com", "gmail.com", "gmail.com", "gmail.com", "googlemail.com"], 30),
        (["outlook.com", "hotmail.com", "live.com", "msn.com"], 15),
        (["yahoo.com", "aol.com", "ymail.com"], 10),
        (["icloud.com", "me.com"], 5),
        (["gmx.de", "web.de", "t-online.de", "orange.fr", "free.fr", "libero.it", "mail.ru", "yandex.ru", "qq.com", "naver.com", "btinternet.com", "comcast.net", "seznam.cz", "wp.pl"], 15),
    ];

    private static readonly string[] CompanyWords =
        ["acme", "northwind", "contoso", "fabrikam", "globex", "initech", "umbrella", "stark", "wayne", "tyrell", "hooli", "vandelay", "soylent", "wonka", "cyberdyne"];

    private static readonly string[] CompanySuffixes = ["-logistics.com", "-labs.io", "-bau.de", "-consulting.co.uk", "-foods.fr", "-tech.nl"];

    private static readonly string[] IdnDomains = ["bücher.example", "müller-bau.example", "café-paris.example"];

    private static readonly string[] FirstNames = ["Ana", "Ben", "Chloé", "David", "Emma", "Farid", "Greta", "Hiro", "Inès", "Jonas", "Kai", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara"];

    private static readonly string[] LastNames = ["Alvarez", "Becker", "Chen", "Dubois", "Evans", "Fischer", "García", "Hansen", "Ivanova", "Jansen", "Kowalski", "López", "Müller", "Novak", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Weber"];

    private static readonly string[] BadAddresses = ["not-an-email", "missing-at.example.com", "double@@gmail.com", "trailing-dot@gmail.com.", "spaces in@gmail.com", "@nolocal.example", "nodomain@"];

    /// <summary>Writes the list; prints the counts.</summary>
    public static int Run(CliArguments options)
    {
        var path = options.Required("out");
        var count = options.Int("count", 10_000);
        var random = new Random(options.Int("seed", 42));
        var badRows = Math.Max(1, count / 1000);
        var duplicateRows = Math.Max(1, count / 1000);
        var goodRows = count - badRows - duplicateRows;
        var companies = CompanyWords.SelectMany(w => CompanySuffixes.Select(s => w + s)).ToArray();

        var rows = new List<string>(count);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (rows.Count < goodRows)
        {
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            var domain = PickDomain(random, companies);
            var local = $"{Ascii(first)}.{Ascii(last)}{random.Next(1, 100_000)}".ToLowerInvariant();
            var address = $"{local}@{domain}";
            if (seen.Add(address))
            {
                rows.Add($"{address},{first},{last}");
            }
        }

        for (var i = 0; i < duplicateRows; i++)
        {
            var original = rows[random.Next(goodRows)].Split(',');
            rows.Insert(random.Next(rows.Count), $"{original[0].ToUpperInvariant()},{original[1]},{original[2]}");
        }

        for (var i = 0; i < badRows; i++)
        {
            rows.Insert(random.Next(rows.Count), $"{BadAddresses[i % BadAddresses.Length]},Bad,Row");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllLines(path, ["email,first_name,last_name", .. rows], new UTF8Encoding(false));
        var domains = rows.Select(r => r.Split(',')[0]).Where(a => a.Contains('@')).Select(a => a[(a.LastIndexOf('@') + 1)..].ToLowerInvariant()).Distinct().Count();
        Console.WriteLine($"wrote {rows.Count} rows to {path}: {goodRows} good, {duplicateRows} duplicates, {badRows} bad, {domains} domains");
        return 0;
    }

    private static string PickDomain(Random random, string[] companies)
    {
        var roll = random.Next(100);
        foreach (var (domains, weight) in Providers)
        {
            if (roll < weight)
            {
                return domains[random.Next(domains.Length)];
            }

            roll -= weight;
        }

        // The remaining quarter: small company domains, and about one in a hundred internationalised.
        return random.Next(100) == 0 ? IdnDomains[random.Next(IdnDomains.Length)] : companies[random.Next(companies.Length)];
    }

    private static string Ascii(string name) =>
        new(name.Normalize(NormalizationForm.FormD).Where(c => c < 128 && char.IsLetter(c)).ToArray());
}
