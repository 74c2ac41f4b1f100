using System.Collections;
using System.Device.Adc;
using System.Device.Gpio;
using Gate.Firmware.Config;

namespace Gate.Firmware.Esp32
{
    /// <summary>
    /// IGateIo over nanoFramework's GPIO and ADC. Pins are opened once from the resolved board pins: digital
    /// inputs with the internal pull-up where the ESP32 has one (GPIO 34..39 have none: fit 10k to 3V3),
    /// outputs driven low at start, analog functions on ADC1 (ADC2 is unusable while Wi-Fi is on).
    /// </summary>
    public sealed class Esp32GateIo : IGateIo
    {
        private readonly GpioController _gpio = new GpioController();
        private readonly Hashtable _pins = new Hashtable();
        private readonly Hashtable _channels = new Hashtable();
        private AdcController _adc;

        public void Open(DeviceConfig config, BoardPins pins)
        {
            string[] all = GateFunction.All;
            for (int i = 0; i < all.Length; i++)
            {
                string function = all[i];
                int pin = pins.Pin(function);
                if (pin < 0)
                {
                    continue;
                }

                if (GateFunction.IsAnalog(function))
                {
                    if (_adc == null)
                    {
                        _adc = new AdcController();
                    }

                    _channels[pin] = _adc.OpenChannel(Adc1Channel(pin));
                }
                else if (GateFunction.IsOutput(function))
                {
                    GpioPin output = _gpio.OpenPin(pin, PinMode.Output);
                    output.Write(PinValue.Low);
                    _pins[pin] = output;
                }
                else
                {
                    bool hasPullUp = pin < 34;
                    PinMode mode = config.IsActiveLow(function, pins) && hasPullUp ? PinMode.InputPullUp : PinMode.Input;
                    _pins[pin] = _gpio.OpenPin(pin, mode);
                }
            }
        }

        public bool ReadDigital(int pin)
        {
            GpioPin p = (GpioPin)_pins[pin];
            return p != null && p.Read() == PinValue.High;
        }

        public int ReadMillivolts(int pin)
        {
            AdcChannel channel = (AdcChannel)_channels[pin];
            if (channel == null)
            {
                return 0;
            }

            // Default attenuation (11 dB) spans about 0..3.3 V over the ADC's range; the loop bands and the
            // battery threshold have margins wider than the ESP32 ADC's uncalibrated error.
            return (int)((long)channel.ReadValue() * 3300 / _adc.MaxValue);
        }

        public void WriteDigital(int pin, bool high)
        {
            GpioPin p = (GpioPin)_pins[pin];
            if (p != null)
            {
                p.Write(high ? PinValue.High : PinValue.Low);
            }
        }

        /// <summary>ESP32 ADC1: channel 0..7 are GPIO 36, 37, 38, 39, 32, 33, 34, 35.</summary>
        private static int Adc1Channel(int gpio)
        {
            switch (gpio)
            {
                case 36: return 0;
                case 37: return 1;
                case 38: return 2;
                case 39: return 3;
                case 32: return 4;
                case 33: return 5;
                case 34: return 6;
                case 35: return 7;
                default: throw new System.ArgumentException("GPIO" + gpio.ToString() + " has no ADC1 channel");
            }
        }
    }
}
