namespace Gate.Server.Mqtt;

/// <summary>
/// Follows the MQTT framing of one connection's incoming bytes (fixed header: one type byte, then the remaining length
/// as a variable byte integer of 1-4 bytes; then that many body bytes, skipped) and says no as soon as a fixed header
/// announces a packet larger than the limit. It sees the bytes before MQTTnet does, so a 64 MiB announcement is refused
/// on its 5th byte, before MQTTnet allocates the body (it allocates the announced length at once). Only the framing is
/// read here; the packets themselves are MQTTnet's.
/// </summary>
public sealed class PacketSizeLimit(int maxPacketBytes)
{
    private const int TypeByte = 0, LengthBytes = 1, Body = 2;
    private int _state = TypeByte;
    private int _lengthByteCount;
    private long _length;
    private long _bodyLeft;

    public int MaxPacketBytes { get; } = maxPacketBytes;

    /// <summary>The whole size of the packet that was refused (header included), or -1 for a malformed length.</summary>
    public long RefusedSize { get; private set; }

    /// <summary>False when these bytes complete a fixed header over the limit (or a malformed one); the connection must close.</summary>
    public bool Accept(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            switch (_state)
            {
                case Body:
                    var skip = (int)Math.Min(_bodyLeft, bytes.Length - i);
                    i += skip;
                    _bodyLeft -= skip;
                    if (_bodyLeft == 0)
                    {
                        _state = TypeByte;
                    }

                    break;
                case TypeByte:
                    i++;
                    _state = LengthBytes;
                    _lengthByteCount = 0;
                    _length = 0;
                    break;
                default:
                    var b = bytes[i++];
                    _length |= (long)(b & 0x7F) << (7 * _lengthByteCount);
                    _lengthByteCount++;
                    if ((b & 0x80) != 0)
                    {
                        if (_lengthByteCount == 4)
                        {
                            RefusedSize = -1; // a fifth length byte is malformed MQTT [MQTT-1.5.5]
                            return false;
                        }

                        break;
                    }

                    var size = 1 + _lengthByteCount + _length;
                    if (size > MaxPacketBytes)
                    {
                        RefusedSize = size;
                        return false;
                    }

                    _bodyLeft = _length;
                    _state = _bodyLeft == 0 ? TypeByte : Body;
                    break;
            }
        }

        return true;
    }
}
