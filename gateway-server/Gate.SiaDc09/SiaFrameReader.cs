namespace Gate.SiaDc09;

/// <summary>
/// Cuts a byte stream into DC-09 frames (LF ... CR). Bytes before an LF are skipped; a frame longer than
/// <see cref="SiaDc09Frame.MaxFrameBytes"/> is returned as garbage so one bad peer cannot grow the buffer without bound.
/// </summary>
public sealed class SiaFrameReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    public SiaFrameReader(Stream stream) => _stream = stream;

    /// <summary>Bytes read but not yet returned (a frame cut off mid-way when the peer closes).</summary>
    public int Pending => _end - _start;

    /// <summary>
    /// The next frame including LF and CR, or null when the peer closed the stream. A frame that overflows is returned
    /// as it stands (without CR) so the caller sees garbage and can answer or drop the connection.
    /// </summary>
    public async ValueTask<byte[]?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span.IndexOf(SiaDc09Frame.StartByte);
            if (lf < 0)
            {
                // Nothing that starts a frame: drop it all (line noise, or a peer that speaks something else).
                _start = _end = 0;
            }
            else
            {
                _start += lf;
                span = _buffer.AsSpan(_start, _end - _start);
                var cr = span.IndexOf(SiaDc09Frame.EndByte);
                if (cr >= 0)
                {
                    var frame = span[..(cr + 1)].ToArray();
                    _start += cr + 1;
                    return frame;
                }

                if (span.Length > SiaDc09Frame.MaxFrameBytes)
                {
                    var overflow = span.ToArray();
                    _start = _end = 0;
                    return overflow;
                }
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }
}
