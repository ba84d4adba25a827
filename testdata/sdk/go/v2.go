// Flagship Go SDK v2: typed getters, the method suffix gives the type.
package flags

import "github.com/flagship-io/flagship-go-sdk/v2/pkg/client"

const btnColorKey = "btnColor"

const (
	discountKey, bannerKey = "discount-rate", "banner.text"
)

var betaKey = "beta_feature"

func Render(v *client.Visitor) error {
	color, err := v.GetModificationString("v2-color", "red", true)
	if err != nil {
		return err
	}
	rate, _ := v.GetModificationNumber(discountKey, 0.15, false)
	enabled, _ := v.GetModificationBool(betaKey, false, true)
	config, _ := v.GetModificationObject("v2-config", map[string]interface{}{"size": 2}, false)
	items, _ := v.GetModificationArray("v2-items", []interface{}{"a", "b"}, false)
	info, _ := v.GetModificationInfo(bannerKey)
	_ = v.ActivateModification(btnColorKey)
	use(color, rate, enabled, config, items, info)
	return nil
}
