namespace Orleans.Mail.Cli;

/// <summary>Parsed command-line options: <c>--name value</c> pairs and bare flags after the command word.</summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    /// <summary>Parses <c>--name value</c> and <c>--flag</c> tokens.</summary>
    /// <exception cref="ArgumentException">A token that is not an option.</exception>
    public CliArguments(IEnumerable<string> tokens)
    {
        string? pending = null;
        foreach (var token in tokens)
        {
            if (token.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    Add(pending, "true");
                }

                pending = token[2..];
            }
            else if (pending is not null)
            {
                Add(pending, token);
                pending = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{token}'.");
            }
        }

        if (pending is not null)
        {
            Add(pending, "true");
        }
    }

    private void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list))
        {
            _values[name] = list = [];
        }

        list.Add(value);
    }

    /// <summary>The option's value, or <paramref name="fallback"/>.</summary>
    public string? Get(string name, string? fallback = null) => _values.TryGetValue(name, out var v) ? v[^1] : fallback;

    /// <summary>The option's value.</summary>
    /// <exception cref="ArgumentException">It is missing.</exception>
    public string Required(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required.");

    /// <summary>Every value given for a repeatable option.</summary>
    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var v) ? v : [];

    /// <summary>An integer option.</summary>
    public int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    /// <summary>True when the flag was given.</summary>
    public bool Flag(string name) => Get(name) is "true";
}
