using Orleans.Mail.Api.V1;

namespace Orleans.Mail.Cli;

/// <summary>
/// Reads a recipient list: a header line whose first column is the address (<c>email</c>) and whose other
/// columns are template variables, then one recipient per line. Fields are separated by commas and hold
/// no commas or quotes (the format the sample generator writes).
/// </summary>
public static class RecipientCsv
{
    /// <summary>The recipients of <paramref name="path"/>, in file order, streamed.</summary>
    /// <exception cref="FormatException">The file has no header.</exception>
    public static IEnumerable<Recipient> Read(string path)
    {
        using var reader = new StreamReader(path);
        var header = reader.ReadLine()?.Split(',') ?? throw new FormatException($"{path} is empty; expected a header line.");
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(',');
            var recipient = new Recipient { Address = fields[0] };
            for (var i = 1; i < header.Length && i < fields.Length; i++)
            {
                recipient.Variables[header[i]] = fields[i];
            }

            yield return recipient;
        }
    }
}
