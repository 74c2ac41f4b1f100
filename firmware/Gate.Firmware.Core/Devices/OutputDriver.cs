using Gate.Firmware.Config;

namespace Gate.Firmware.Devices
{
    /// <summary>
    /// Writes the controller's outputs (guard's LED and buzzer, led2 "connected", bollard relay) to the pins fitted on
    /// the board, each only when its level changes. The relay is left alone until the bollard was commanded: a reboot
    /// never moves a bollard.
    /// </summary>
    public sealed class OutputDriver
    {
        private readonly BoardPins _pins;
        private readonly IGateIo _io;
        private int _led = -1;
        private int _led2 = -1;
        private int _buzzer = -1;
        private bool _relayWritten;
        private bool _relayRaise;

        public OutputDriver(BoardPins pins, IGateIo io)
        {
            _pins = pins;
            _io = io;
        }

        /// <param name="bollard">Null when no bollard is fitted.</param>
        public void Write(bool led, bool buzzer, bool connected, Bollard bollard)
        {
            Write(GateFunction.Led, led, ref _led);
            Write(GateFunction.Buzzer, buzzer, ref _buzzer);
            Write(GateFunction.Led2, connected, ref _led2);
            if (bollard != null && bollard.IsCommanded && _pins.IsFitted(GateFunction.BollardRelay))
            {
                bool raise = bollard.RelayRaise;
                if (!_relayWritten || raise != _relayRaise)
                {
                    _io.WriteDigital(_pins.Pin(GateFunction.BollardRelay), raise);
                    _relayWritten = true;
                    _relayRaise = raise;
                }
            }
        }

        private void Write(string function, bool level, ref int last)
        {
            if (!_pins.IsFitted(function))
            {
                return;
            }

            int value = level ? 1 : 0;
            if (value != last)
            {
                _io.WriteDigital(_pins.Pin(function), level);
                last = value;
            }
        }
    }
}
