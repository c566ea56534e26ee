/** The food-fleet demo catalogue (`npm run cli -- seed --demo`): prices in whole cents. */
export const DEMO_CATALOGUE: {
  category: string
  description: string
  products: [name: string, price: number, stock: number][]
}[] = [
  {
    category: 'Mains',
    description: 'Hot dishes from the truck',
    products: [
      ['Classic Beef Burger', 11.5, 40],
      ['Veggie Burger', 10.5, 35],
      ['Chicken Shawarma Wrap', 9.75, 50],
      ['Falafel Bowl', 9.25, 30],
      ['Pulled Pork Sandwich', 11.95, 25],
      ['Fish Tacos (3)', 12.0, 20],
      ['Margherita Flatbread', 10.0, 18],
      ['Pad Thai', 12.5, 22],
    ],
  },
  {
    category: 'Sides',
    description: 'To share, or not',
    products: [
      ['Fries', 3.5, 120],
      ['Sweet Potato Fries', 4.25, 80],
      ['Onion Rings', 4.0, 60],
      ['Coleslaw', 2.75, 40],
      ['Corn on the Cob', 3.25, 45],
      ['Side Salad', 3.95, 30],
    ],
  },
  {
    category: 'Drinks',
    description: 'Cold and hot',
    products: [
      ['Lemonade', 3.0, 100],
      ['Iced Tea', 2.95, 90],
      ['Cola', 2.5, 150],
      ['Sparkling Water', 2.0, 150],
      ['Espresso', 2.2, 200],
      ['Flat White', 3.4, 200],
      ['Mango Lassi', 4.5, 40],
    ],
  },
  {
    category: 'Desserts',
    description: 'Something sweet',
    products: [
      ['Churros', 4.5, 60],
      ['Chocolate Brownie', 3.75, 45],
      ['Soft Serve Cone', 3.0, 80],
      ['Apple Pie Slice', 4.25, 24],
      ['Cheesecake Slice', 4.95, 20],
    ],
  },
  {
    category: 'Breakfast',
    description: 'Served until 11:00',
    products: [
      ['Breakfast Burrito', 8.5, 30],
      ['Bacon Egg Roll', 6.75, 40],
      ['Avocado Toast', 7.95, 25],
      ['Granola Yogurt Cup', 5.25, 35],
    ],
  },
]
