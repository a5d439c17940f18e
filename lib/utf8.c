#include "utf8.h"

bool
utf8_valid(const char *buf, size_t len, size_t *chars)
{
	const unsigned char	*s = (const unsigned char *)buf;
	size_t			 i = 0, n = 0, need, k;
	unsigned int		 cp, min;

	while (i < len) {
		cp = s[i];
		if (cp < 0x80) {
			i++;
			n++;
			continue;
		}
		if ((cp & 0xE0) == 0xC0) {
			need = 1;
			cp &= 0x1F;
			min = 0x80;
		} else if ((cp & 0xF0) == 0xE0) {
			need = 2;
			cp &= 0x0F;
			min = 0x800;
		} else if ((cp & 0xF8) == 0xF0) {
			need = 3;
			cp &= 0x07;
			min = 0x10000;
		} else
			return false;	/* continuation byte or 0xF8.. */
		if (len - i - 1 < need)
			return false;	/* truncated sequence */
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += need + 1;
		n++;
	}
	if (chars != NULL)
		*chars = n;
	return true;
}
