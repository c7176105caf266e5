namespace LmCompare.Cli.Generation;

/// <summary>
/// A minimal line editor for the REPL on a terminal: typing, Backspace, Left/Right, Home/End, Up/Down through the
/// history of this session. Returns null at Ctrl-D on an empty line (end of input).
/// </summary>
public sealed class LineEditor
{
    private readonly List<string> _history = [];

    public string? ReadLine(string prompt)
    {
        Console.Write(prompt);
        var line = new System.Text.StringBuilder();
        int cursor = 0, recall = _history.Count;
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    string text = line.ToString();
                    if (text.Length > 0 && (_history.Count == 0 || _history[^1] != text)) _history.Add(text);
                    return text;
                case ConsoleKey.Backspace when cursor > 0: line.Remove(--cursor, 1); break;
                case ConsoleKey.Delete when cursor < line.Length: line.Remove(cursor, 1); break;
                case ConsoleKey.LeftArrow when cursor > 0: cursor--; break;
                case ConsoleKey.RightArrow when cursor < line.Length: cursor++; break;
                case ConsoleKey.Home: cursor = 0; break;
                case ConsoleKey.End: cursor = line.Length; break;
                case ConsoleKey.UpArrow when recall > 0: Replace(line, _history[--recall], ref cursor); break;
                case ConsoleKey.DownArrow when recall < _history.Count:
                    recall++;
                    Replace(line, recall < _history.Count ? _history[recall] : "", ref cursor);
                    break;
                default:
                    if (key.Key == ConsoleKey.D && key.Modifiers.HasFlag(ConsoleModifiers.Control) && line.Length == 0) { Console.WriteLine();
                        return null; }
                    if (!char.IsControl(key.KeyChar)) line.Insert(cursor++, key.KeyChar);
                    break;
            }
            Console.Write($"\r{prompt}{line}\u001b[K");
            if (line.Length > cursor) Console.Write($"\u001b[{line.Length - cursor}D");
        }
    }

    private static void Replace(System.Text.StringBuilder line, string text, ref int cursor)
    {
        line.Clear().Append(text);
        cursor = line.Length;
    }
}
